"""A minimal headless Streamlit client: one browser tab's session over the app's websocket.

It speaks the same protocol as the browser (protobuf ``BackMsg``/``ForwardMsg`` on
``/_stcore/stream``): opens a page, reads the elements the script sends (with their widget ids),
and re-runs the script with widget values and button clicks, as the browser does when a user
types and presses a button. No JavaScript runs, so components (the map) are not drawn; their
return value can be sent like the browser would.

Used by the concurrency tests (participants submitting through the real app) and by
``bench/workshop_load.py`` (sessions on the workshop screen).
"""

from __future__ import annotations

import json
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.sync.client import connect


@dataclass
class Run:
    """What one script run sent: elements by type, texts of alerts and markdown, widget ids."""

    elements: list = field(default_factory=list)
    status: int | None = None
    seconds: float = 0.0
    #: (fragment id, interval s) of the fragments the page asks the browser to re-run.
    auto_reruns: list = field(default_factory=list)

    def kinds(self) -> list[str]:
        """The type of every element sent (``exception`` is Streamlit's error box)."""
        return [element.WhichOneof("type") for element in self.elements]

    def texts(self, kind: str) -> list[str]:
        """Bodies of elements of one type (``markdown``, ``alert``...)."""
        out = []
        for element in self.elements:
            if element.WhichOneof("type") == kind:
                out.append(getattr(element, kind).body)
        return out

    def widget_id(self, key: str) -> str | None:
        """The id of the widget whose user key is ``key`` (ids end with ``-<key>``)."""
        for element in self.elements:
            kind = element.WhichOneof("type")
            inner = getattr(element, kind, None)
            widget_id = getattr(inner, "id", "") if inner is not None else ""
            if widget_id and widget_id.endswith(f"-{key}"):
                return widget_id
        return None

    def form_submit_id(self, form_key: str) -> str | None:
        """The id of the submit button of the form whose key is ``form_key``."""
        for element in self.elements:
            if element.WhichOneof("type") == "button" and element.button.is_form_submitter \
                    and f"FormSubmitter:{form_key}-" in element.button.id:
                return element.button.id
        return None

    def component_id(self, name: str) -> str | None:
        for element in self.elements:
            if element.WhichOneof("type") == "component_instance" and \
                    element.component_instance.component_name == name:
                return element.component_instance.id
        return None


class Session:
    """One session of the app at ``base_url`` (``http://host:port``), on page ``page``.

    ``headers`` are sent with the websocket handshake (``X-Forwarded-For`` from the loopback
    peer, which uvicorn trusts, stands for another client address); ``url`` is the address the
    "browser" reports as its own (``st.context.url``), forgeable like any client value.
    """

    def __init__(self, base_url: str, page: str, query: str = "", timeout: float = 60.0,
                 headers: dict[str, str] | None = None, url: str | None = None) -> None:
        parts = urlsplit(base_url)
        self.page = page
        self.query = query
        self.timeout = timeout
        self.url = url or f"{base_url}/{page}" + (f"?{query}" if query else "")
        self._stack = ExitStack()
        self.ws = self._stack.enter_context(
            connect(f"ws://{parts.netloc}/_stcore/stream", subprotocols=["streamlit"],
                    open_timeout=timeout, max_size=None, additional_headers=headers))
        self.widgets: dict[str, WidgetState] = {}
        #: the page's script hash, as the server named it (the browser sends it back, so a
        #: rerun the server starts by itself, e.g. ``st.rerun`` in a fragment, stays on it)
        self.page_script_hash = ""

    def close(self) -> None:
        self._stack.close()

    def set_string(self, widget_id: str, value: str) -> None:
        """A text, or the label of a radio / selectbox option, as the browser sends it."""
        state = WidgetState(id=widget_id)
        state.string_value = value
        self.widgets[widget_id] = state

    def set_json(self, widget_id: str, value: object) -> None:
        """A component's value (e.g. the map's ``{"last_clicked": …}``)."""
        state = WidgetState(id=widget_id)
        state.json_value = json.dumps(value)
        self.widgets[widget_id] = state

    def forget(self, widget_id: str) -> None:
        self.widgets.pop(widget_id, None)

    def run(self, trigger: str | None = None, fragment_id: str = "") -> Run:
        """Re-run the script (as after a widget change), optionally clicking button ``trigger``,
        or only the fragment ``fragment_id`` (as the browser does for ``run_every``); returns
        when the server says the run finished (a ``st.rerun`` inside is followed)."""
        message = BackMsg()
        client = message.rerun_script
        client.query_string = self.query
        client.page_name = self.page
        client.page_script_hash = self.page_script_hash
        client.fragment_id = fragment_id
        client.is_auto_rerun = bool(fragment_id)
        client.context_info.url = self.url
        client.context_info.locale = "fr-FR"
        client.context_info.timezone = "Europe/Paris"
        states = list(self.widgets.values())
        if trigger:
            click = WidgetState(id=trigger)
            click.trigger_value = True
            states.append(click)
        client.widget_states.widgets.extend(states)
        started = time.perf_counter()
        self.ws.send(message.SerializeToString())
        return self._receive(started)

    def _receive(self, started: float) -> Run:
        run = Run()
        deadline = time.monotonic() + self.timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no end of script run within {self.timeout} s")
            forward = ForwardMsg()
            forward.ParseFromString(self.ws.recv(timeout=remaining))
            kind = forward.WhichOneof("type")
            if kind == "new_session":
                run = Run()  # a new run started (e.g. st.rerun): keep only the last one
            elif kind == "navigation" and forward.navigation.page_script_hash:
                self.page_script_hash = forward.navigation.page_script_hash
            elif kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                run.elements.append(forward.delta.new_element)
            elif kind == "auto_rerun":
                run.auto_reruns.append((forward.auto_rerun.fragment_id,
                                        forward.auto_rerun.interval))
            elif kind == "page_info_changed":
                # the script changed st.query_params: the browser's URL follows
                self.query = forward.page_info_changed.query_string
            elif kind == "script_finished":
                status = forward.script_finished
                # A run that ends early for a rerun (st.rerun, a click during the run) is
                # followed by another one: wait for that.
                if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue
                run.status = status
                run.seconds = time.perf_counter() - started
                return run
