"""One question in, one Answer out. Nothing here imports gradio."""
from assistant.answer import Answer, Quote
from assistant.assistant import Assistant, Passage
from assistant.settings import Settings

__all__ = ["Answer", "Assistant", "Passage", "Quote", "Settings"]
