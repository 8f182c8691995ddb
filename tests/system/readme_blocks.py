"""Runs the README's code blocks as a new user would paste them, so that the README cannot rot.

  readme_blocks.py README BUILD_DIR WORK_DIR

- "Trying it": the block runs as one bash script with `set -eu`, in WORK_DIR (where
  `build` links to BUILD_DIR), against a fresh server. Two things differ from a paste, and only
  these: `tools/run` is the built server on a fresh data dir (a shell function: the test must not
  build, and the first command's install and build are tools/test's), and port 8080 is a free
  port the kernel gives.
  Every answer must be JSON and none a problem; the block must finish.
- The webhook receiver's `verified()`: run as Python against a signature made with the shared
  secret's HMAC the way the server documents it, and against a forged one.
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


def run_trying_it(script, build_dir, work_dir, port):
    os.makedirs(work_dir, exist_ok=True)
    link = os.path.join(work_dir, "build")
    if not os.path.exists(link):
        os.symlink(build_dir, link)
    data = os.path.join(work_dir, "data")
    # set -eu as a careful user would; no pipefail, which an interactive shell does not have.
    prelude = f"""set -eu
tools/run() {{ exec build/tools/microjobs serve --data-dir {data} --port {port} "$@" >{work_dir}/server.log 2>&1; }}
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
"""
    body = script.replace("localhost:8080", f"localhost:{port}")
    # Its own process group, so that on a timeout (a README loop that never ends) the server goes too.
    process = subprocess.Popen(["bash", "-c", prelude + body], cwd=work_dir, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=90)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        print(f"Trying it: still running after 90 s\n{stdout}\n{stderr}")
        return False
    done = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    if done.returncode != 0:
        print(f"Trying it: exit {done.returncode}\n{done.stdout}\n{done.stderr}")
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


def main(readme_path, build_dir, work_dir):
    port = free_port()
    with open(readme_path, encoding="utf-8") as f:
        found = blocks(f.read())
    trying = [code for heading, code in found if heading == "Trying it"]
    snippets = [code for _, code in found if "def verified(" in code]
    if len(trying) != 1 or len(snippets) != 1:
        print(f"README: expected one 'Trying it' block and one verified() snippet, found {len(trying)} and {len(snippets)}")
        return 1
    ok = run_trying_it(trying[0], build_dir, work_dir, port) and check_verified(snippets[0])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
