"""A webhook receiver for the tests, written as an employer would write one with Python's
standard library: it checks every delivery's signature (X-Microjobs-Signature: t=<unix>,v1=<hex
HMAC-SHA256 of "t.body"> with the webhook's secret) and answers 503 to the first --fail-first
attempts of each event, so that the sender must retry.

  webhook_receiver.py --port-file F --secret-file S --log L [--fail-first N] [--port P]
                      [--tls-cert CERT --tls-key KEY]   (HTTPS with that certificate)

Writes its port to F once listening. Reads the secret from S at each request (the test writes it
there after registering the webhook). Appends one JSON line per request to L:
{"event_id","type","attempt","status","signature_ok","body_id"}."""
import argparse
import hashlib
import hmac
import json
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def signature_ok(header, secret, body):
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    if "t" not in parts or "v1" not in parts or abs(time.time() - int(parts["t"])) > 300:
        return False
    expected = hmac.new(secret.encode(), parts["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])


def make_handler(args, attempts, lock):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            event_id = self.headers.get("X-Microjobs-Event-Id", "")
            with open(args.secret_file, encoding="utf-8") as f:
                secret = f.read().strip()
            ok = signature_ok(self.headers.get("X-Microjobs-Signature", ""), secret, body)
            envelope = json.loads(body)
            with lock:
                attempts[event_id] = attempts.get(event_id, 0) + 1
                attempt = attempts[event_id]
                status = 401 if not ok else (503 if attempt <= args.fail_first else 200)
                with open(args.log, "a", encoding="utf-8") as log:
                    log.write(json.dumps({"event_id": event_id, "type": envelope.get("type"),
                                          "attempt": attempt, "status": status,
                                          "signature_ok": ok, "body_id": envelope.get("id")}) + "\n")
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_):
            pass

    return Handler


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--secret-file", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--fail-first", type=int, default=0)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(args, {}, threading.Lock()))
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    with open(args.port_file, "w", encoding="utf-8") as f:
        f.write(f"{server.server_address[1]}\n")
    server.serve_forever()


if __name__ == "__main__":
    main()
