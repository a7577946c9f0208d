"""A real browser for the interoperability tests: Debian's headless `chromium`, driven over the
Chrome DevTools protocol (one websocket, flattened target sessions), and a small PNG reader
for inspecting its screenshots without extra packages."""

import base64
import json
import os
import queue
import re
import shutil
import struct
import subprocess
import tempfile
import threading
import time
import zlib

import pytest
import websocket


def chromium_path():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail("chromium is not installed: run scripts/install-deps.sh")


class Browser:
    """One headless chromium process and one page (tab) in it."""

    def __init__(self, width=1400, height=1900):
        self.profile = tempfile.mkdtemp(prefix="skyshard-chromium-")
        self.process = subprocess.Popen(
            [chromium_path(), "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--no-first-run", "--no-default-browser-check", "--disable-extensions",
             "--remote-debugging-port=0", f"--user-data-dir={self.profile}",
             f"--window-size={width},{height}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        # chromium prints its DevTools address once it listens: wait for that line.
        url = None
        lines = []
        for line in self.process.stderr:
            lines.append(line)
            m = re.search(r"DevTools listening on (ws://\S+)", line)
            if m:
                url = m.group(1)
                break
        if url is None:
            self.process.kill()
            pytest.fail("chromium did not start:\n" + "".join(lines[-20:]))
        threading.Thread(target=lambda: [None for _ in self.process.stderr], daemon=True).start()
        self.ws = websocket.create_connection(url, timeout=120, suppress_origin=True)
        self.next_id = 0
        self.replies = {}
        self.events = queue.Queue()
        self.session = None
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime"):
            self.call(domain + ".enable")
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)
        self.console = []

    def close(self):
        try:
            self.ws.close()
        finally:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
            shutil.rmtree(self.profile, ignore_errors=True)

    # The protocol

    def _read(self):
        message = json.loads(self.ws.recv())
        if "id" in message:
            self.replies[message["id"]] = message
        else:
            if message.get("method") == "Runtime.consoleAPICalled":
                args = message["params"].get("args", [])
                self.console.append(" ".join(str(a.get("value", a.get("description", ""))) for a in args))
            if message.get("method") == "Runtime.exceptionThrown":
                details = message["params"]["exceptionDetails"]
                self.console.append("exception: " + details.get("exception", {}).get("description", details.get("text", "")))
            self.events.put(message)

    def call(self, method, browser=False, **params):
        """Sends one command (to the page's session unless `browser`) and returns its result."""
        self.next_id += 1
        ident = self.next_id
        message = {"id": ident, "method": method, "params": params}
        if self.session and not browser:
            message["sessionId"] = self.session
        self.ws.send(json.dumps(message))
        while ident not in self.replies:
            self._read()
        reply = self.replies.pop(ident)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def wait_event(self, method, predicate=lambda params: True, timeout=120):
        """The params of the first event `method` (seen already or arriving) matching `predicate`."""
        deadline = time.monotonic() + timeout
        kept = []
        try:
            while True:
                try:
                    event = self.events.get_nowait()
                except queue.Empty:
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"no {method} event within {timeout} s")
                    self.ws.settimeout(max(0.1, deadline - time.monotonic()))
                    try:
                        self._read()
                    except websocket.WebSocketTimeoutException:
                        pass
                    finally:
                        self.ws.settimeout(120)
                    continue
                if event.get("method") == method and predicate(event.get("params", {})):
                    return event["params"]
                kept.append(event)
        finally:
            for event in kept:
                self.events.put(event)

    # The page

    def evaluate(self, expression, timeout=120):
        """The value of a JavaScript expression in the page; a promise is awaited."""
        result = self.call("Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True,
                           timeout=timeout * 1000)
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            raise AssertionError("page error: " + details.get("exception", {}).get("description", details.get("text", "")))
        return result["result"].get("value")

    def wait_for(self, condition, timeout=120):
        """Waits until the JavaScript expression `condition` is truthy in the page (checked on
        each animation frame and on every DOM change) and returns its value."""
        return self.evaluate(f"""new Promise((resolve, reject) => {{
            const check = () => {{ try {{ return ({condition}); }} catch (e) {{ return null; }} }};
            const first = check();
            if (first) return resolve(first);
            const stop = setTimeout(() => {{ observer.disconnect(); reject(new Error("timed out waiting for: " + {json.dumps(condition)})); }}, {timeout * 1000});
            const observer = new MutationObserver(() => {{
                const v = check();
                if (v) {{ clearTimeout(stop); observer.disconnect(); resolve(v); }}
            }});
            observer.observe(document, {{subtree: true, childList: true, attributes: true, characterData: true}});
        }})""", timeout=timeout + 5)

    def open(self, url):
        """Loads `url` and returns once its load event fired."""
        while not self.events.empty():
            self.events.get_nowait()
        self.call("Page.navigate", url=url)
        self.wait_event("Page.loadEventFired")

    def rect(self, selector):
        """The element's box in CSS pixels of the page: x, y, width, height."""
        return self.evaluate(f"""(() => {{ const r = document.querySelector({json.dumps(selector)}).getBoundingClientRect();
            return {{x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height}}; }})()""")

    def screenshot(self, path, clip=None):
        """Saves a PNG of the page (or of `clip`, a rect) and returns its bytes."""
        params = {"format": "png", "captureBeyondViewport": True}
        if clip:
            params["clip"] = {**clip, "scale": 1}
        data = base64.b64decode(self.call("Page.captureScreenshot", **params)["data"])
        with open(path, "wb") as f:
            f.write(data)
        return data

    def click(self, x, y):
        """A real mouse click at viewport coordinates (CSS pixels)."""
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1)

    def wheel(self, x, y, delta_y):
        self.call("Input.dispatchMouseEvent", type="mouseWheel", x=x, y=y, deltaX=0, deltaY=delta_y)


def decode_png(data):
    """(width, height, rows of RGBA tuples) of an 8-bit, non-interlaced RGB or RGBA PNG, as
    chromium writes its screenshots."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, chunks, header = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            chunks.append(body)
        pos += 12 + length
    width, height, depth, color, _, _, interlace = header
    assert depth == 8 and color in (2, 6) and interlace == 0, f"unsupported PNG: {header}"
    channels = 4 if color == 6 else 3
    raw = zlib.decompress(b"".join(chunks))
    stride = width * channels
    previous = bytearray(stride)
    rows = []
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                predictor = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[i] = (line[i] + predictor) & 0xFF
        rows.append([tuple(line[x * channels:x * channels + 3]) for x in range(width)])
        previous = line
    return width, height, rows


def count_pixels(rows, color, tolerance=40):
    """How many pixels are within `tolerance` (per channel) of `color`."""
    r0, g0, b0 = color
    return sum(1 for row in rows for (r, g, b) in row
               if abs(r - r0) <= tolerance and abs(g - g0) <= tolerance and abs(b - b0) <= tolerance)
