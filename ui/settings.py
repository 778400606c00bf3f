"""Settings only the web app has; the assistant and the other commands never see them."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path

from assistant.settings import Settings

WEB_ENV_VARS = {"feedback_file": "QUOTECHAT_FEEDBACK_FILE",
                "admin_password": "QUOTECHAT_ADMIN_PASSWORD"}


@dataclass(frozen=True)
class WebSettings(Settings):
    # Web feedback is health information: stored only when a file is given.
    feedback_file: Path | None = None
    # The web maintainers' page exists only when a password is set; never shown in repr.
    admin_password: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides) -> "WebSettings":
        """As Settings.from_env, with the web variables too (explicit overrides win)."""
        return super().from_env(environ, **_web_values(environ, overrides))

    @classmethod
    def serving(cls, settings: Settings, **web) -> "WebSettings":
        """The command's settings as they are, plus the web ones from the environment
        or the command line (the option wins)."""
        shared = {f.name: getattr(settings, f.name) for f in fields(Settings)}
        return cls(**shared, **_web_values(None, web))


def _web_values(environ: dict[str, str] | None, overrides: dict) -> dict:
    environ = os.environ if environ is None else environ
    values: dict = {}
    if environ.get(WEB_ENV_VARS["feedback_file"]):
        values["feedback_file"] = Path(environ[WEB_ENV_VARS["feedback_file"]]).expanduser()
    if environ.get(WEB_ENV_VARS["admin_password"]):
        values["admin_password"] = environ[WEB_ENV_VARS["admin_password"]]
    values.update({k: v for k, v in overrides.items() if v is not None})
    return values
