"""One lock for the PDF engines used inside a process: pdfium (pypdfium2) and MuPDF (PyMuPDF).

Neither library is thread-safe: two threads calling into one of them at the same time can crash the whole
process. A web process serves requests in threads and runs the background workers (screening, the outbox)
in threads too, so every in-process use of either engine holds :data:`LOCK` while it calls into it. Work
done in a child process of its own (the bounded document reader, the bounded burn-in) needs no lock. The
lock is re-entrant, so a locked function may call another.
"""

from __future__ import annotations

import threading

#: Held around every in-process call into pdfium or MuPDF.
LOCK = threading.RLock()
