"""Settings only the web app has; the assistant and the other commands never see them."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path

from assistant.index_watch import DEFAULT_INTERVAL
from assistant.settings import Settings

WEB_ENV_VARS = {"feedback_file": "QUOTECHAT_FEEDBACK_FILE",
                "admin_password": "QUOTECHAT_ADMIN_PASSWORD",
                "watch_index": "QUOTECHAT_WATCH_INDEX"}
# Queue settings: positive whole numbers (see WebSettings for why these defaults).
QUEUE_ENV_VARS = {"ask_concurrency": "QUOTECHAT_ASK_CONCURRENCY",
                  "queue_size": "QUOTECHAT_QUEUE_SIZE",
                  "compute_threads": "QUOTECHAT_COMPUTE_THREADS"}


@dataclass(frozen=True)
class WebSettings(Settings):
    # Web feedback is health information: stored only when a file is given.
    feedback_file: Path | None = None
    # The web maintainers' page exists only when a password is set; never shown in repr.
    admin_password: str | None = field(default=None, repr=False)
    # How often (seconds) to look for a new index version written by another replica or
    # `quotechat index`; 0 turns it off (the index changes only by this app's re-index).
    watch_index: float = DEFAULT_INTERVAL

    # Questions answered at once. The model is one at a time anyway (SerializedEncoder);
    # a few slots let one answer's search and rendering run while another's question is
    # embedded, instead of everyone waiting behind the whole of one answer.
    ask_concurrency: int = 4
    # Questions waiting beyond this are refused at once ("busy, try again") rather than
    # queued: at the 15-30 answers/s measured on 2 cores, 100 waiting is a 3-7 s wait,
    # about as long as anyone should wait without being told.
    queue_size: int = 100
    # Threads (torch or ONNX) for one question's embedding. One: a question is a dozen words,
    # and a second thread's hand-offs (busy-waiting in OpenMP) cost more CPU than they
    # save, CPU that other people's answers need.
    compute_threads: int = 1

    def __post_init__(self) -> None:
        super().__post_init__()
        if not 0 <= self.watch_index <= 3600:
            raise ValueError(f"the index watch interval {self.watch_index} must be 0 "
                             "(off) to 3600 seconds.")
        for name in QUEUE_ENV_VARS:
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a whole number of at least 1 "
                                 f"({QUEUE_ENV_VARS[name]}), not {value!r}.")

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
    if environ.get(WEB_ENV_VARS["watch_index"]):
        values["watch_index"] = _seconds(environ[WEB_ENV_VARS["watch_index"]],
                                         WEB_ENV_VARS["watch_index"])
    for name, variable in QUEUE_ENV_VARS.items():
        if environ.get(variable):
            try:
                values[name] = int(environ[variable])
            except ValueError:
                raise ValueError(f"{variable} must be a whole number, not "
                                 f"{environ[variable]!r}.") from None
    values.update({k: v for k, v in overrides.items() if v is not None})
    return values


def _seconds(raw: str, name: str) -> float:
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a number of seconds.") from None
