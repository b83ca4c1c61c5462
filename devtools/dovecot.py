"""A throwaway Dovecot IMAP server in a temporary directory, for the mail intake's tests.

Debian's ``dovecot-imapd`` runs here with a configuration of its own: IMAP over TLS only (a self-signed
certificate made for 127.0.0.1 by ``openssl``), one static user with a password, Maildir storage in the
temporary directory, on a free port. Dovecot runs as an ordinary user (as root: as ``nobody``), without
chroot, so nothing of the machine's own mail setup is used or touched.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path


class DovecotUnavailable(RuntimeError):
    """No Dovecot server could be started here (binaries missing, or the start failed)."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Dovecot:
    """A running server: ``url`` is the ``AKTFLOW_IMAP_URL`` of its INBOX, ``cafile`` the certificate to
    trust (``SSL_CERT_FILE``)."""

    port: int
    user: str
    password: str
    base: Path
    cafile: Path
    process: subprocess.Popen | None = None
    _owner: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"imaps://{self.user}:{self.password}@127.0.0.1:{self.port}/INBOX"

    def stop(self) -> None:
        """Stop the server and remove its directory."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        shutil.rmtree(self.base, ignore_errors=True)

    def log(self) -> str:
        path = self.base / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""


CONFIG = """
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
info_log_path = {base}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <{base}/cert.pem
ssl_key = <{base}/key.pem
disable_plaintext_auth = yes
auth_mechanisms = plain login
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
mail_location = maildir:{base}/mail/%u
mail_plugins =
namespace inbox {{
  inbox = yes
  separator = /
}}
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={base}/home/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    port = {port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
service auth {{
  user = {user}
}}
service auth-worker {{
  user = {user}
}}
"""


def start(user: str = "aktindsigt", password: str = "hemmelig-test") -> Dovecot:
    """Start Dovecot on a free port; raises DovecotUnavailable when it is not installed or does not start."""
    binary = shutil.which("dovecot") or ("/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None)
    if binary is None:
        raise DovecotUnavailable("dovecot is not installed (Debian: apt-get install dovecot-imapd)")
    if shutil.which("openssl") is None:
        raise DovecotUnavailable("openssl is missing (it makes the test certificate)")
    base = Path(tempfile.mkdtemp(prefix="aktflow-dovecot-"))
    for sub in ("run", "state", "mail", "home"):
        (base / sub).mkdir()
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout", str(base / "key.pem"), "-out", str(base / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    prefix: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            raise DovecotUnavailable("running as root and 'runuser' is missing")
        account = pwd.getpwnam("nobody")
        prefix = ["runuser", "-u", "nobody", "--"]
        for path in [base, *base.rglob("*")]:
            os.chown(path, account.pw_uid, account.pw_gid)
    else:
        account = pwd.getpwuid(os.geteuid())
    import grp

    port = free_port()
    (base / "dovecot.conf").write_text(
        CONFIG.format(
            base=base,
            user=account.pw_name,
            group=grp.getgrgid(account.pw_gid).gr_name,
            uid=account.pw_uid,
            gid=account.pw_gid,
            port=port,
            password=password,
        )
    )
    if os.geteuid() == 0:
        os.chown(base / "dovecot.conf", account.pw_uid, account.pw_gid)
    process = subprocess.Popen(
        [*prefix, binary, "-F", "-c", str(base / "dovecot.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    server = Dovecot(port, user, password, base, base / "cert.pem", process)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            err = process.stderr.read().decode(errors="replace") if process.stderr else ""
            log = server.log()
            server.stop()
            raise DovecotUnavailable(f"dovecot did not start: {err.strip()} {log.strip()}"[:2000])
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.1)
    server.stop()
    raise DovecotUnavailable("dovecot did not open its port within 20 seconds")
