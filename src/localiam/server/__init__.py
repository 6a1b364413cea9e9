"""The HTTP server: `localiam serve`."""

from localiam.server._app import create_app, utc_now
from localiam.server._config import ServerConfig
from localiam.server._dispatch import Dispatcher, HttpAnswer
from localiam.server._run import build, serve

__all__ = ["Dispatcher", "HttpAnswer", "ServerConfig", "build", "create_app", "serve", "utc_now"]
