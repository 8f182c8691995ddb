"""Runs the README's code blocks as a new user would paste them, so that the README cannot rot.

  readme_blocks.py README BUILD_DIR WORK_DIR          "Trying it" and the receiver snippet
  readme_blocks.py README BUILD_DIR WORK_DIR --kafka  the three-process block of "On Kafka"

- "Trying it": the block runs as one bash script with `set -eu`, in WORK_DIR (where
  `build` links to BUILD_DIR), against a fresh server. Two things differ from a paste, and only
  these: `tools/run` is the built server on a fresh data dir (a shell function: the test must not
  build, and the first command's install and build are tools/test's), and port 8080 is a free
  port the kernel gives.
  Every answer must be JSON and none a problem; the block must finish.
- The webhook receiver's `verified()`: run as Python against a signature made with the shared
  secret's HMAC the way the server documents it, and against a forged one.
- "On Kafka", the block that starts a real broker and the three processes: as one bash script
  with `set -eu` in WORK_DIR. What differs from a paste: `tools/install-test-deps` is a no-op
  (tools/test ran it before the suite), the broker's directory is WORK_DIR/kafka rather than
  /tmp/mj-kafka, and port 8080 is a free port. The profile must come back through the api
  process and kcat must show its event on the topic.
Prints one line per check and exits 1 on the first failure."""
import hashlib
import hmac
import json
import os
import signal
import socket
import subprocess
import sys
import time


def blocks(readme):
    """The indented code blocks, each with the heading it is under."""
    heading, block, found = "", [], []
    for line in readme.splitlines() + [""]:
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
        if line.startswith("    "):
            block.append(line[4:])
        elif block and line.strip() == "":
            found.append((heading, "\n".join(block)))
            block = []
    return found


def run_block(name, prelude, script, work_dir, timeout_s):
    """Runs a README block as one bash script (`set -eu`, as a careful user would; no pipefail,
    which an interactive shell does not have) after `prelude`, in WORK_DIR where `build` and `tools`
    link to the checkout's; the CompletedProcess, or None after printing why."""
    os.makedirs(work_dir, exist_ok=True)
    for name_in_dir, target in (("build", BUILD_DIR), ("tools", os.path.join(SOURCE_DIR, "tools"))):
        link = os.path.join(work_dir, name_in_dir)
        if not os.path.exists(link):
            os.symlink(target, link)
    # Background jobs end with the script; its own process group, so that on a timeout (a README
    # loop that never ends) the servers go too.
    prelude = "set -eu\ntrap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n" + prelude
    process = subprocess.Popen(["bash", "-c", prelude + script], cwd=work_dir, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        print(f"{name}: still running after {timeout_s} s\n{stdout}\n{stderr}")
        return None
    if process.returncode != 0:
        print(f"{name}: exit {process.returncode}\n{stdout}\n{stderr}")
        return None
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def run_trying_it(script, work_dir, port):
    data = os.path.join(work_dir, "data")
    prelude = f"""tools/run() {{ exec build/tools/microjobs serve --data-dir {data} --port {port} "$@" >{work_dir}/server.log 2>&1; }}
"""
    done = run_block("Trying it", prelude, script.replace("localhost:8080", f"localhost:{port}"), work_dir, 90)
    if done is None:
        return False
    answers, text, decoder = [], done.stdout.strip(), json.JSONDecoder()
    while text:  # the answers follow each other, newline or not
        value, end = decoder.raw_decode(text)
        answers.append(value)
        text = text[end:].lstrip()
    problems = [a for a in answers if isinstance(a, dict) and "code" in a and "status" in a]
    withdrawal = [a for a in answers if isinstance(a, dict) and a.get("status") == "pending"]
    if problems or not withdrawal or "items" not in answers[-1]:
        print(f"Trying it: problems {problems}, withdrawal {withdrawal}, the last {answers[-1]}")
        return False
    print(f"Trying it: {len(answers)} answers, none a problem, the withdrawal pending, "
          f"{len(answers[-1]['items'])} statement lines")
    return True


def run_kafka(script, work_dir, port):
    kafka_dir = os.path.join(work_dir, "kafka")
    prelude = f"""tools/install-test-deps() {{ :; }}
trap 'tools/kafka/broker stop {kafka_dir} >/dev/null 2>&1 || true; kill $(jobs -p) 2>/dev/null || true' EXIT
"""
    body = script.replace("localhost:8080", f"localhost:{port}").replace("--port 8080", f"--port {port}")
    body = body.replace("/tmp/mj-kafka", kafka_dir)
    done = run_block("On Kafka", prelude, body, work_dir, 180)
    # After a timeout the script was killed before its trap: the broker still runs.
    subprocess.run(["tools/kafka/broker", "stop", kafka_dir], cwd=work_dir, capture_output=True)
    if done is None:
        return False
    lines = done.stdout.splitlines()
    profile = [line for line in lines if line.startswith("{") and '"user_id":"alice"' in line]
    on_topic = [line for line in lines if "user.registered.v1" in line and "alice" in line]
    if len(profile) < 2 or not on_topic:
        print(f"On Kafka: the profile {profile}, the event on the topic {on_topic}\n{done.stdout}\n{done.stderr}")
        return False
    print(f"On Kafka: alice registered through the api process, read back, and on the topic: {on_topic[0][:60]}")
    return True


def check_verified(snippet):
    scope = {}
    exec(snippet, scope)  # the README's own function
    secret, body, t = "whsec-test", b'{"id":"3-42"}', str(int(time.time()))
    v1 = hmac.new(secret.encode(), t.encode() + b"." + body, hashlib.sha256).hexdigest()
    good = scope["verified"](f"t={t},v1={v1}", secret, body)
    forged = scope["verified"](f"t={t},v1={'0' * 64}", secret, body)
    stale = scope["verified"](f"t={int(t) - 3600},v1={v1}", secret, body)
    print(f"verified(): good {good}, forged {forged}, stale {stale}")
    return good and not forged and not stale


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(readme_path, build_dir, work_dir, mode=""):
    global BUILD_DIR
    BUILD_DIR = build_dir
    port = free_port()
    with open(readme_path, encoding="utf-8") as f:
        found = blocks(f.read())
    if mode == "--kafka":
        kafka = [code for heading, code in found if heading == "On Kafka" and "broker start" in code]
        if len(kafka) != 1:
            print(f"README: expected one block under 'On Kafka' that starts the broker, found {len(kafka)}")
            return 1
        return 0 if run_kafka(kafka[0], work_dir, port) else 1
    trying = [code for heading, code in found if heading == "Trying it"]
    snippets = [code for _, code in found if "def verified(" in code]
    if len(trying) != 1 or len(snippets) != 1:
        print(f"README: expected one 'Trying it' block and one verified() snippet, found {len(trying)} and {len(snippets)}")
        return 1
    ok = run_trying_it(trying[0], work_dir, port) and check_verified(snippets[0])
    return 0 if ok else 1


SOURCE_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD_DIR = ""

if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
