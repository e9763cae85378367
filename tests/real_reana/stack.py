"""The real REANA 0.9.4 on one machine: the supervisor process the `real_reana` fixture starts.

Run as `unshare -m python -m real_reana.stack STATE_DIR INSTALL_DIR`: a private mount namespace,
so the seam below is seen by this process and its children only. It starts, all on loopback:

- PostgreSQL (Debian's; `initdb` into a scratch directory, run as `postgres`), Redis, and RabbitMQ
  with an `epmd` of its own (so no Erlang daemon outlives the tests);
- the Kubernetes API stand-in (`kube.py`), and the seam REANA's Kubernetes client and service
  names need: a tmpfs on `/run` holding the service-account token and CA, and a hosts file,
  bind-mounted on `/etc/hosts`, mapping the `reana-*.default` names to loopback;
- reana-workflow-controller (`flask run`, and `flask consume-job-queue`) and reana-server (its
  production app `invenio run`, and `flask start-scheduler`), from the cached environments.

REANA hard-codes two addresses: the controller is called at `reana-workflow-controller.default:80`
(`reana_commons/config.py`, OPENAPI_SPECS), and the accounts session store at
`reana-cache.default:6379` (`reana_server/config.py`). The second is overridden with an
`INVENIO_` variable like the other Invenio settings; the first cannot be, so the controller gets
port 80 on an address of its own in 127.0.0.0/8 (named in the hosts file), never 127.0.0.1:80,
and two stacks on one machine do not collide. Everything else listens on free ports of 127.0.0.1.

When everything answers, `state.json` is written. The process then waits until it is told to stop
(SIGTERM from the fixture's last user) or until every lease holder (`leases/<pid>`) has died (a
killed pytest), stops everything in reverse order and removes its scratch directories. Children
get SIGTERM if this process itself is killed (PR_SET_PDEATHSIG).
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from real_reana.kube import KubeStandIn

READY_TIMEOUT = 240.0
STOP_TIMEOUT = 20.0
ORPHAN_GRACE = 300.0  # no lease ever taken: stop after this long
USERS = ("analyst", "kerberos", "runner")  # test users (their tokens in state.json)
SERVICE_ACCOUNT = Path("/run/secrets/kubernetes.io/serviceaccount")
HOST_NAMES = ("ui", "server", "cache", "message-broker", "db")  # reana-<x>.default -> 127.0.0.1
PR_SET_PDEATHSIG = 1
# Where install.py unpacked each component (`src/<tarball stem>`).
SOURCES = {"server": "reana-server-0.9.4", "controller": "reana-workflow-controller-0.9.4"}


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def controller_address() -> str:
    """An address of 127.0.0.0/8 whose port 80 is free (REANA calls the controller on 80)."""
    for _ in range(50):
        raw = secrets.token_bytes(3)
        address = f"127.{raw[0]}.{raw[1]}.{max(raw[2], 2) % 254 + 1}"
        with socket.socket() as s:
            try:
                s.bind((address, 80))
            except OSError:
                continue
        return address
    raise RuntimeError("no address of 127.0.0.0/8 has port 80 free")


def _die_with_parent() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class Stack:
    def __init__(self, state_dir: Path, install: Path) -> None:
        self.dir = state_dir
        self.install = install
        self.logs = state_dir / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.processes: list[tuple[str, subprocess.Popen[bytes], IO[bytes]]] = []
        self.scratch: list[Path] = []
        self.stop_requested = False
        self.exit = contextlib.ExitStack()
        self.ports: dict[str, int] = {}
        self.pg_bin = Path()  # PostgreSQL's programs, found by postgres()

    # --- helpers ---------------------------------------------------------------------------

    def spawn(
        self,
        name: str,
        command: Sequence[str],
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        user: str | None = None,
    ) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("ab")
        process = subprocess.Popen(
            list(command),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            user=user,
            group=user,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        self.processes.append((name, process, log))
        return process

    def run(
        self,
        name: str,
        command: Sequence[str],
        env: Mapping[str, str] | None = None,
        user: str | None = None,
        timeout: float = 120.0,
    ) -> str:
        """A command that must succeed; its output is logged and returned."""
        began = time.monotonic()
        done = subprocess.run(
            list(command),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            env=dict(env) if env is not None else None,
            user=user,
            group=user,
            timeout=timeout,
            check=False,
        )
        output = (done.stdout + done.stderr).decode(errors="replace")
        with (self.logs / "setup.log").open("a") as log:
            log.write(f"$ {' '.join(command)}  [{time.monotonic() - began:.1f} s]\n{output}\n")
        if done.returncode != 0:
            raise RuntimeError(f"{name} failed (exit {done.returncode}): {output[-800:]}")
        return output

    def wait_until(self, what: str, ready: Any, timeout: float = READY_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, process, _ in self.processes:
                if process.poll() is not None:
                    raise RuntimeError(
                        f"{name} exited with {process.returncode} while waiting for {what}; "
                        f"see {self.logs / (name + '.log')}"
                    )
            if self.stop_requested:
                raise RuntimeError(f"stopped while waiting for {what}")
            with contextlib.suppress(OSError, ValueError):
                if ready():
                    return
            time.sleep(0.2)
        raise RuntimeError(f"{what} not ready after {timeout:.0f} s")

    @staticmethod
    def connects(port: int, host: str = "127.0.0.1") -> bool:
        with socket.create_connection((host, port), timeout=1):
            return True

    def scratch_dir(self, prefix: str, owner: str | None = None) -> Path:
        """A directory outside the (root-only) pytest tree, for processes running as `owner`."""
        path = Path(tempfile.mkdtemp(prefix=f"recast-reana-{prefix}-"))
        self.scratch.append(path)
        if owner:
            entry = pwd.getpwnam(owner)
            os.chown(path, entry.pw_uid, entry.pw_gid)
        return path

    # --- services --------------------------------------------------------------------------

    def seam(self, kube: KubeStandIn, controller: str) -> None:
        """The pod's view for REANA's processes: service account and cluster names."""
        subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=0755", "tmpfs", "/run"], check=True)
        SERVICE_ACCOUNT.mkdir(parents=True)
        (SERVICE_ACCOUNT / "token").write_text("recast-reana-test-service-account")
        (SERVICE_ACCOUNT / "namespace").write_text("default")
        shutil.copy(kube.cert, SERVICE_ACCOUNT / "ca.crt")
        hosts = self.dir / "hosts"
        lines = [Path("/etc/hosts").read_text(), "# recast-reana real-server tests"]
        lines += [f"127.0.0.1 reana-{name}.default" for name in HOST_NAMES]
        lines.append(f"{controller} reana-workflow-controller.default")
        hosts.write_text("\n".join(lines) + "\n")
        subprocess.run(["mount", "--bind", str(hosts), "/etc/hosts"], check=True)

    def postgres(self) -> int:
        port = free_port()
        binaries = sorted(
            Path("/usr/lib/postgresql").glob("*/bin/postgres"),
            key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
        )
        if not binaries:
            raise RuntimeError("PostgreSQL not installed (apt-get install postgresql)")
        bindir = binaries[-1].parent
        home = self.scratch_dir("pg", owner="postgres")
        data = home / "data"
        self.run(
            "initdb",
            [str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
             "-E", "UTF8", "--no-locale"],
            user="postgres",
        )  # fmt: skip
        self.spawn(
            "postgres",
            [str(bindir / "postgres"), "-D", str(data), "-h", "127.0.0.1", "-p", str(port),
             "-k", str(home), "-c", "fsync=off", "-c", "synchronous_commit=off",
             "-c", "full_page_writes=off"],
            user="postgres",
        )  # fmt: skip
        self.pg_bin = bindir
        psql = [str(bindir / "psql"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-q"]
        self.wait_until(
            "PostgreSQL",
            lambda: subprocess.run([*psql, "-c", "select 1"], capture_output=True).returncode == 0,
        )
        self.run(
            "create the reana database",
            [*psql, "-c", "CREATE ROLE reana LOGIN SUPERUSER PASSWORD 'reana'",
             "-c", "CREATE DATABASE reana OWNER reana"],
        )  # fmt: skip
        return port

    def redis(self) -> int:
        port = free_port()
        home = self.scratch_dir("redis")
        self.spawn(
            "redis",
            ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "",
             "--appendonly", "no", "--dir", str(home), "--daemonize", "no"],
        )  # fmt: skip
        self.wait_until("Redis", lambda: self.connects(port))
        return port

    def rabbitmq(self) -> int:
        port, dist, epmd = free_port(), free_port(), free_port()
        home = self.scratch_dir("rabbitmq")
        (home / "enabled_plugins").write_text("[].\n")
        erlang = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": str(home),
            "LANG": "C.UTF-8",
            "ERL_EPMD_PORT": str(epmd),
            "ERL_EPMD_ADDRESS": "127.0.0.1",
        }
        self.spawn("epmd", ["epmd", "-address", "127.0.0.1", "-port", str(epmd)], env=erlang)
        self.wait_until("epmd", lambda: self.connects(epmd))
        env = {
            **erlang,
            "RABBITMQ_NODENAME": f"rabbit-{os.getpid()}@localhost",
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(port),
            "RABBITMQ_DIST_PORT": str(dist),
            "RABBITMQ_MNESIA_BASE": str(home / "mnesia"),
            "RABBITMQ_LOG_BASE": str(home / "log"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(home / "enabled_plugins"),
            "RABBITMQ_CONFIG_FILE": str(home / "rabbitmq"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": str(home / "advanced.config"),
            "RABBITMQ_CONF_ENV_FILE": str(home / "rabbitmq-env.conf"),
            "RABBITMQ_PID_FILE": str(home / "rabbitmq.pid"),
        }
        self.spawn("rabbitmq", ["/usr/lib/rabbitmq/bin/rabbitmq-server"], env=env)
        self.wait_until("RabbitMQ", lambda: self.connects(port))
        return port

    # --- REANA -----------------------------------------------------------------------------

    def reana_env(self, component: str, kube: KubeStandIn, shared: Path) -> dict[str, str]:
        p = self.ports
        db = f"postgresql+psycopg2://reana:reana@127.0.0.1:{p['postgres']}/reana"
        redis = f"redis://127.0.0.1:{p['redis']}"
        source = self.install / "src" / SOURCES[component]
        app = f"{SOURCES[component].rsplit('-', 1)[0].replace('-', '_')}/app.py"
        return {
            "PATH": f"{self.install / component / 'bin'}:/usr/local/bin:/usr/bin:/bin",
            "HOME": str(self.dir),
            "LANG": "C.UTF-8",
            "FLASK_APP": str(source / app),
            "REANA_DB_HOST": "127.0.0.1",
            "REANA_DB_PORT": str(p["postgres"]),
            "REANA_DB_NAME": "reana",
            "REANA_DB_USERNAME": "reana",
            "REANA_DB_PASSWORD": "reana",
            "REANA_SQLALCHEMY_DATABASE_URI": db,
            "INVENIO_SQLALCHEMY_DATABASE_URI": db,
            "INVENIO_CACHE_REDIS_URL": f"{redis}/0",
            "INVENIO_ACCOUNTS_SESSION_REDIS_URL": f"{redis}/1",
            "INVENIO_CELERY_BROKER_URL": f"{redis}/2",
            "INVENIO_CELERY_RESULT_BACKEND": f"{redis}/2",
            "INVENIO_RATELIMIT_STORAGE_URL": f"{redis}/3",
            "RABBIT_MQ": f"amqp://guest:guest@127.0.0.1:{p['rabbitmq']}//",
            "SHARED_VOLUME_PATH": str(shared),
            "REANA_HOSTNAME": "127.0.0.1",
            "REANA_SERVER_URL": f"http://127.0.0.1:{p['server']}",
            "REANA_SECRET_KEY": "recast-reana-tests",
            "REANA_FORCE_HTTPS": "false",
            "REANA_USER_EMAIL_CONFIRMATION": "false",
            "REANA_WORKFLOW_SCHEDULING_POLICY": "fifo",
            "REANA_MAX_CONCURRENT_BATCH_WORKFLOWS": "1000",
            # reana.cern.ch's backends (the Helm chart's default is kubernetes alone).
            "REANA_COMPUTE_BACKENDS": '["kubernetes", "htcondorcern", "slurmcern"]',
            # The scheduler sleeps this long after every workflow it hands on, one at a time
            # (prefetch 1; 15 s by default): at 2 s the tier's ~60 starts queued for 2 minutes.
            "REANA_SCHEDULER_REQUEUE_SLEEP": "0.1",
            "REANA_KUBERNETES_JOBS_TIMEOUT_LIMIT": "604800",
            "REANA_KUBERNETES_JOBS_MAX_USER_TIMEOUT_LIMIT": "1209600",
            "REANA_KUBERNETES_JOBS_MEMORY_LIMIT": "4Gi",
            "REANA_KUBERNETES_JOBS_MAX_USER_MEMORY_LIMIT": "8Gi",
            "KUBERNETES_SERVICE_HOST": "127.0.0.1",
            "KUBERNETES_SERVICE_PORT": str(kube.port),
            "PYTHONUNBUFFERED": "1",
        }

    def database(self, env: Mapping[str, str]) -> dict[str, str]:
        """REANA's and Invenio's tables and users, restored from the installation's dump of the
        database `create_database` made once (nine runs of REANA's commands, ~20 s of CPU).
        The dump's first line holds the users' tokens; it is moved into place whole."""
        dump = self.install / f"database-pg{self.pg_bin.parent.name}.sql"
        connect = ["-h", "127.0.0.1", "-p", str(self.ports["postgres"]), "-d", "reana"]
        if dump.is_file():
            with dump.open() as fh:
                tokens = json.loads(fh.readline().removeprefix("-- tokens: "))
            self.run(
                "restore the reana database",
                [str(self.pg_bin / "psql"), *connect, "-U", "postgres", "-q",
                 "-v", "ON_ERROR_STOP=1", "-f", str(dump)],
            )  # fmt: skip
            return dict(tokens)
        tokens = self.create_database(env)
        sql = self.dir / "database.sql"
        self.run(
            "dump the reana database",
            [str(self.pg_bin / "pg_dump"), *connect, "-U", "reana", "-f", str(sql)],
        )
        with tempfile.NamedTemporaryFile("w", dir=self.install, delete=False) as staged:
            staged.write(f"-- tokens: {json.dumps(tokens)}\n{sql.read_text()}")
        Path(staged.name).replace(dump)
        return tokens

    def create_database(self, env: Mapping[str, str]) -> dict[str, str]:
        """REANA's and Invenio's tables (reana-server's scripts/create-database.sh) and users."""
        server = self.install / "server" / "bin"
        for command in (
            ["reana-db", "init"],
            ["reana-db", "alembic", "init"],
            ["reana-db", "quota", "create-default-resources"],
            ["invenio", "db", "init"],
            ["invenio", "db", "create"],
        ):
            self.run(" ".join(command), [str(server / command[0]), *command[1:]], env=env)
        admin = self.run(
            "create-admin-user",
            [str(server / "flask"), "reana-admin", "create-admin-user",
             "-e", "admin@recast-reana.test", "-p", secrets.token_urlsafe(12)],
            env=env,
        ).strip().splitlines()[-1]  # fmt: skip
        tokens = {"admin": admin}
        for user in USERS:
            tokens[user] = f"rr-{user}-{secrets.token_urlsafe(12)}"
            out = self.run(
                f"user-create {user}",
                [str(server / "flask"), "reana-admin", "user-create",
                 "-e", f"{user}@recast-reana.test", "--user-access-token", tokens[user],
                 "--admin-access-token", admin],
                env=env,
            )  # fmt: skip
            if "successfully created" not in out:
                raise RuntimeError(f"user-create {user}: {out[-500:]}")
        return tokens

    def start(self) -> dict[str, Any]:
        began = time.monotonic()
        kube = self.exit.enter_context(
            KubeStandIn(self.dir, log=self.dir / "kube-requests.log").running()
        )
        controller = controller_address()
        self.seam(kube, controller)
        self.ports["postgres"] = self.postgres()
        self.ports["redis"] = self.redis()
        self.ports["rabbitmq"] = self.rabbitmq()
        self.ports["server"] = free_port()
        shared = self.dir / "shared"
        shared.mkdir(exist_ok=True)
        server_env = self.reana_env("server", kube, shared)
        controller_env = self.reana_env("controller", kube, shared)
        tokens = self.database(server_env)
        services = time.monotonic() - began

        ctrl = self.install / "controller" / "bin" / "flask"
        source = Path(controller_env["FLASK_APP"]).parent.parent
        self.spawn(
            "workflow-controller",
            [str(ctrl), "run", "-h", controller, "-p", "80", "--no-reload", "--with-threads"],
            env=controller_env,
            cwd=source,
        )
        self.spawn("job-status-consumer", [str(ctrl), "consume-job-queue"], env=controller_env)
        server_bin = self.install / "server" / "bin"
        self.spawn(
            "reana-server",
            [str(server_bin / "invenio"), "run", "-h", "127.0.0.1", "-p",
             str(self.ports["server"]), "--no-reload", "--with-threads"],
            env=server_env,
            cwd=Path(server_env["FLASK_APP"]).parent.parent,
        )  # fmt: skip
        self.spawn("scheduler", [str(server_bin / "flask"), "start-scheduler"], env=server_env)
        url = f"http://127.0.0.1:{self.ports['server']}"
        self.wait_until("reana-workflow-controller", lambda: self.connects(80, controller))
        self.wait_until("reana-server", lambda: _answers(f"{url}/api/you", tokens["analyst"]))
        return {
            "url": url,
            "tokens": tokens,
            "pid": os.getpid(),
            "controller": f"http://{controller}:80",
            "kube": f"https://127.0.0.1:{kube.port}",
            "kube_log": str(self.dir / "kube-requests.log"),
            "logs": str(self.logs),
            "shared": str(shared),
            "controller_python": str(self.install / "controller" / "bin" / "python"),
            "rabbitmq": controller_env["RABBIT_MQ"],
            "ports": self.ports,
            "seconds": {"services": round(services), "total": round(time.monotonic() - began)},
        }

    def watch(self, leases: Path, lock: Path) -> None:
        """Until SIGTERM, or until every lease holder is gone."""
        began, leased = time.monotonic(), False
        while not self.stop_requested:
            time.sleep(0.5)
            if self.stop_requested:
                return
            with lock.open("a") as fh:
                fcntl.flock(fh, fcntl.LOCK_EX)
                alive = [p for p in leases.glob("*") if _alive(p.name)]
                for lease in set(leases.glob("*")) - set(alive):
                    lease.unlink(missing_ok=True)
                leased = leased or bool(alive)
                if not alive and (leased or time.monotonic() - began > ORPHAN_GRACE):
                    print("stopping: no lease holder left", flush=True)
                    (self.dir / "state.json").unlink(missing_ok=True)
                    return

    def stop(self) -> None:
        """All at once: the stack is thrown away, and one by one took 2.7 s (the job-status
        consumer and RabbitMQ 1 s each) at the end of every session."""
        for name, process, _log in self.processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGINT if name == "postgres" else signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        for _name, process, log in self.processes:
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            with contextlib.suppress(ProcessLookupError):  # what the group left behind
                os.killpg(process.pid, signal.SIGKILL)
            log.close()
        self.exit.close()
        for path in self.scratch:
            shutil.rmtree(path, ignore_errors=True)


def _alive(pid: str) -> bool:
    """A running process (not a zombie): the lease holder is still there."""
    try:
        stat = Path(f"/proc/{int(pid)}/stat").read_text()
    except (OSError, ValueError):
        return False
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def _answers(url: str, token: str) -> bool:
    with urllib.request.urlopen(f"{url}?access_token={token}", timeout=5) as response:
        return bool(response.status == 200)


@contextlib.contextmanager
def _signals(stack: Stack) -> Iterator[None]:
    def request_stop(signum: int, frame: Any) -> None:
        print(f"stopping: signal {signum}", flush=True)
        stack.stop_requested = True

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    yield


def main(argv: Sequence[str]) -> int:
    state_dir, install = Path(argv[0]), Path(argv[1])
    stack = Stack(state_dir, install)
    with _signals(stack):
        try:
            state = stack.start()
            tmp = state_dir / "state.json.tmp"
            tmp.write_text(json.dumps(state, indent=1))
            tmp.replace(state_dir / "state.json")
            seconds = state["seconds"]
            print(f"ready in {seconds['total']} s (services {seconds['services']} s)", flush=True)
            stack.watch(state_dir / "leases", state_dir / "lock")
            return 0
        except Exception:
            (state_dir / "error.txt").write_text(traceback.format_exc())
            return 1
        finally:
            stack.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
