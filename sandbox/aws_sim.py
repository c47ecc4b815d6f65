"""Local AWS for the relcon sandbox: moto's server, in-process, with every signature checked.

    sim = AwsSim(host="127.0.0.1", port=0, log=callable_or_None)
    sim.start()                       # listening; sim.port, sim.endpoint ("http://localhost:PORT")
    ec2 = sim.client("ec2", "us-east-1")   # boto3 client signed with the sandbox credentials
    sim.reset()                       # moto's reset + the sandbox credentials registered again
    sim.stop()

Authentication is on from the first request (moto's INITIAL_NO_AUTH_ACTION_COUNT = 0): every
request must carry a SigV4 signature made with a key moto knows, and moto recomputes it with
botocore.  The only key is ACCESS_KEY_ID / SECRET_ACCESS_KEY, an access key of the IAM user
USER_NAME (allowed everything) in moto's default account 123456789012, the "sandbox" account.

What moto 5.2.1 gets wrong, and what this module changes
--------------------------------------------------------
moto rebuilds the request it verifies (moto.iam.access_control.IAMRequestBase.
_create_aws_request) from what Flask/werkzeug parsed:
  * the URL from werkzeug's `request.url`, an IRI in which the query has been percent-decoded,
    so a signed `prefix=a%2Fb&delimiter=%2F` is canonicalized as `prefix=a/b&delimiter=/`;
  * the body from werkzeug's `request.data`, which is empty for a form POST (werkzeug consumed
    it into `request.form`), so moto hashes the parsed fields re-encoded (`+` for a space)
    instead of the bytes that were sent (`%20`);
  * `data=self._body or self._data`: with an empty body (a Query-protocol GET) it hashes the
    parsed query parameters as if they were a form body instead of the empty payload.
All three reject correctly signed requests.  The fix has two parts:
  * RawRequestMiddleware (WSGI, in front of moto's app) records the request exactly as it
    came off the socket: the request target from werkzeug's RAW_URI (the request line's target,
    unparsed) and the body bytes (read once, then handed on to moto unchanged);
  * _create_aws_request_as_sent replaces moto's _create_aws_request: it hands botocore's
    signer (SigV4Auth / S3SigV4Auth, chosen by moto as before) the method, the raw path, the
    raw query (only brought to SigV4's canonical encoding, component by component, as AWS
    does), the headers the client listed in SignedHeaders, and the raw body bytes.
Everything else stays moto's: which key, which secret, the credential scope, the comparison
of the signatures, the errors.  Nothing is skipped or relaxed: a request whose method, path,
query, signed headers or body differ from what was signed still fails, with moto's own
SignatureDoesNotMatch (AuthFailure for EC2).  The check is tightened in one place: when the
client signs `x-amz-content-sha256` with a hash, botocore (and so moto) trusts that header
instead of hashing the body; here the body must match it (S3: 400 XAmzContentSHA256Mismatch,
like AWS; other services: signature mismatch).
moto's own control API (/moto-api/) is read-only here: POSTs to it (reset, reset-auth, which
could switch authentication off, seeding, ...) get 403; reset through the sandbox instead.

CloudFormation for the super-stack (nested stacks, events over time, failures) is cfn_sim.py:
AwsSim.cfn, reached through moto's CloudFormationResponse after moto's signature check.

Faults and the request log: RawRequestMiddleware also applies the faults of AwsSim.faults (a
faults.Faults, the Buildkite simulator's own list once sandbox.py attaches it) whose side is "aws"
or "both", and records every request in AwsSim.requests (GET /_sandbox/aws-requests), except the
sandbox's own (AwsSim.client marks them with INTERNAL_UA in the User-Agent: the world's seeding
and the pipeline's deploys are never faulted or logged).  What each kind does is in
sandbox/README.md ("Faults").
"""
import hashlib
import io
import json
import os
import re
import socket
import struct
import threading
import time
from urllib.parse import parse_qsl, quote, unquote, urlsplit
from xml.sax.saxutils import escape as xml_escape

# Before moto is imported: authentication from the first request; no stock Amazon AMIs
# (faster start, and DescribeImages shows the sandbox's own images only).
os.environ["INITIAL_NO_AUTH_ACTION_COUNT"] = "0"
os.environ["MOTO_EC2_LOAD_DEFAULT_AMIS"] = "false"
os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")

import boto3  # noqa: E402
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.config import Config as BotoConfig  # noqa: E402
from werkzeug.serving import WSGIRequestHandler, make_server  # noqa: E402

from moto import settings as moto_settings  # noqa: E402
from moto.core.authorization import ActionAuthenticatorMixin  # noqa: E402
from moto.iam import access_control  # noqa: E402
from moto.iam.models import iam_backends  # noqa: E402
from moto.moto_api._internal import mock_random  # noqa: E402
from moto.moto_api._internal.models import moto_api_backend  # noqa: E402
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app  # noqa: E402
from moto.s3.exceptions import S3ClientError  # noqa: E402

import cfn_sim  # noqa: E402
import faults  # noqa: E402

ACCOUNT_ID = "123456789012"          # moto's default account: the sandbox account
ACCESS_KEY_ID = "AKIASANDBOXRELCON001"
SECRET_ACCESS_KEY = "sAnDbOx/relcon+SigV4/0123456789abcdefGHI"
USER_NAME = "relcon-sandbox"
REGION = "us-east-2"
RANDOM_SEED = 4100
ADMIN_POLICY = json.dumps({"Version": "2012-10-17",
                           "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})

ENV_TARGET = "relcon.raw_target"     # WSGI environ keys set by RawRequestMiddleware
ENV_BODY = "relcon.raw_body"
MAX_BODY = 64 << 20
_HEX64 = re.compile(r"[0-9a-f]{64}")

assert len(ACCESS_KEY_ID) == 20 and len(SECRET_ACCESS_KEY) == 40


# --- the request as it was sent ---------------------------------------------------------------

def _wire(s):
    """werkzeug's RAW_URI back to the bytes of the request line, as a str (latin-1 per byte)."""
    try:  # http.server decoded the line as latin-1; werkzeug then did utf-8 -> latin-1 again
        return s.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return s


def raw_target(environ):
    """The request target (path?query) exactly as on the request line."""
    t = _wire(environ.get("RAW_URI") or environ.get("REQUEST_URI") or "")
    if "://" in t.split("?", 1)[0]:  # absolute form (proxy style): keep path and query only
        u = urlsplit(t)
        t = (u.path or "/") + ("?" + u.query if u.query else "")
    return t or "/"


def _uri_encode(s):
    """SigV4 UriEncode of a str given as latin-1 code points = bytes."""
    return quote(s.encode("latin-1"), safe="-_.~")


def canonical_query(raw_query):
    """SigV4 canonical query string of a query exactly as sent.

    Each name and value is taken from the raw string (split on '&' and the first '=' before
    any decoding, so an encoded '&' or '=' stays data), decoded once and UriEncoded, then the
    pairs are sorted.  For clients that send the canonical encoding on the wire (botocore, the
    AWS CLI, relcon) this is the raw query, byte for byte.
    """
    pairs = []
    for part in raw_query.split("&"):
        if not part:
            continue
        k, _, v = part.partition("=")
        pairs.append((_uri_encode(unquote(k, encoding="latin-1")), _uri_encode(unquote(v, encoding="latin-1"))))
    return "&".join("%s=%s" % kv for kv in sorted(pairs))


class XAmzContentSHA256Mismatch(S3ClientError):
    code = 400

    def __init__(self, claimed, computed):
        super().__init__("XAmzContentSHA256Mismatch",
                         "The provided 'x-amz-content-sha256' header does not match what was computed.",
                         ClientComputedContentSHA256=claimed, S3ComputedContentSHA256=computed)


def _current_raw():
    """(raw target, raw body) of the request being served, if RawRequestMiddleware saw it."""
    from flask import has_request_context, request
    if has_request_context() and ENV_TARGET in request.environ:
        return request.environ[ENV_TARGET], request.environ[ENV_BODY]
    return None


_moto_create_aws_request = access_control.IAMRequestBase._create_aws_request


def _create_aws_request_as_sent(self):
    """IAMRequestBase._create_aws_request, built from the request as sent (see module doc)."""
    raw = _current_raw()
    if raw is None:  # not served through RawRequestMiddleware: moto's own reconstruction
        return _moto_create_aws_request(self)
    target, body = raw
    signed = self._get_string_between("SignedHeaders=", ",", self._headers["Authorization"]).split(";")
    headers = self._create_headers_for_aws_request(signed, self._headers)
    claimed = next((v for k, v in headers.items() if k.lower() == "x-amz-content-sha256"), None)
    if claimed is not None and _HEX64.fullmatch(claimed.strip()):
        computed = hashlib.sha256(body).hexdigest()
        if claimed.strip() != computed:
            if isinstance(self, access_control.S3IAMRequest):
                raise XAmzContentSHA256Mismatch(claimed.strip(), computed)
            self._raise_signature_does_not_match()
    path, sep, query = target.partition("?")
    # botocore takes the path and query from urlsplit(url); the scheme and host only keep a path
    # that starts with "//" from being read as a host (the Host header is what gets signed).
    url = "http://sandbox" + path + ("?" + canonical_query(query) if sep and query else "")
    request = AWSRequest(method=self._method, url=url, data=body, headers=headers)
    request.context["timestamp"] = headers.get("X-Amz-Date") or headers.get("x-amz-date") or ""
    return request


def isolate_environment():
    """Keep the user's AWS configuration out of this process.

    moto creates boto3 sessions of its own while serving (region and service lists), and those
    read AWS_PROFILE and ~/.aws: a profile that does not exist there (or a broken config file)
    would make every request fail with a 500.  The sandbox needs none of it.
    """
    for k in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
              "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        os.environ.pop(k, None)
    os.environ["AWS_CONFIG_FILE"] = os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    for k in [k for k in os.environ if k.startswith("AWS_ENDPOINT_URL")]:
        del os.environ[k]


def install_patch():
    """Idempotent: route moto's signature check through _create_aws_request_as_sent."""
    access_control.IAMRequestBase._create_aws_request = _create_aws_request_as_sent
    moto_settings.INITIAL_NO_AUTH_ACTION_COUNT = 0
    ActionAuthenticatorMixin.request_count = 0


class RawRequestMiddleware:
    """Records the raw request target and body for the signature check; guards /moto-api/.

    With a CfnSim, it also lets the simulated CloudFormation catch up with the clock before any
    request is served, and tells moto's CloudFormation actions which CfnSim is theirs."""

    def __init__(self, app, cfn=None, sim=None):
        self.app, self.cfn, self.sim = app, cfn, sim

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith("/moto-api") and environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return self._plain(start_response, "403 Forbidden",
                               b"moto's control API is read-only in the relcon sandbox; "
                               b"reset with POST /_sandbox/reset on the Buildkite port\n")
        inp = environ["wsgi.input"]
        try:
            n = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return self._plain(start_response, "400 Bad Request", b"bad Content-Length\n")
        if n > MAX_BODY:
            return self._plain(start_response, "413 Request Entity Too Large", b"body too large\n")
        if environ.get("wsgi.input_terminated"):  # chunked: read to the end
            body = inp.read(MAX_BODY + 1)
            if len(body) > MAX_BODY:
                return self._plain(start_response, "413 Request Entity Too Large", b"body too large\n")
            environ["wsgi.input_terminated"] = False
        else:
            body = inp.read(n) if n > 0 else b""
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ[ENV_TARGET] = raw_target(environ)
        environ[ENV_BODY] = body
        sim = self.sim
        if sim is None or path.startswith("/moto-api") or INTERNAL_UA in environ.get("HTTP_USER_AGENT", ""):
            return self._serve(environ, start_response, body)
        return self._faulted(sim, environ, start_response, body)

    def _serve(self, environ, start_response, body):
        """The request as the sandbox answers it: signature refusals, then CloudFormation/moto."""
        if not environ.get("PATH_INFO", "").startswith("/moto-api"):
            refusal = auth_refusal(environ, body)
            if refusal:
                return self._xml(start_response, *refusal)
        if self.cfn is not None:
            environ[cfn_sim.ENV_CFN] = self.cfn
            self.cfn.advance()
        return self.app(environ, start_response)

    def _faulted(self, sim, environ, start_response, body):
        """Log the request, draw its fault (faults.Faults.take), and answer accordingly."""
        info = classify(environ, body)
        method, target = environ.get("REQUEST_METHOD", ""), environ[ENV_TARGET]
        entry = {"t": time.time(), "method": method, "path": target, "service": info["service"],
                 "op": info["op"], "status": None}
        for k in ("stack", "token"):
            if info.get(k):
                entry[k] = info[k]
        f = sim.faults.take("aws", method, target, info["op"], info["service"])
        kind = f and f["kind"]
        if f:
            entry["fault"] = kind + ("_after" if f.get("after") else "")
        entry["acted"] = faults.acted(f)
        sim.requests.record(entry, "%s %s" % (info["service"], info["op"]))
        if kind in ("status", "throttle"):  # never reaches moto
            status, code, message = fault_error(info["protocol"], f)
            entry["status"] = status
            xml = "" if method == "HEAD" else error_xml(info["protocol"], status, code, message)
            return self._xml(start_response, "%d %s" % (status, _REASONS.get(status, "Error")), xml)
        if kind == "reset" and not f.get("after"):  # lost before it acts
            raise FaultReset("fault: connection reset before the request was served")
        if kind == "slow":  # served after the delay, whether or not the client still waits
            time.sleep(f["delay"])
        got = {}

        def capture(status, headers, exc_info=None):
            got["status"], got["headers"] = status, headers
            entry["status"] = int(status.split(None, 1)[0])
            if kind in ("truncated", "malformed", "reset"):
                return lambda data: got.setdefault("written", []).append(data)
            return start_response(status, headers, exc_info)

        it = self._serve(environ, capture, body)
        if kind not in ("truncated", "malformed", "reset"):
            return it
        # It acted: the whole answer, then lost (reset), cut (truncated) or spoiled (malformed).
        try:
            data = b"".join(got.get("written", [])) + b"".join(it)
        finally:
            if hasattr(it, "close"):
                it.close()
        if kind == "reset":
            raise FaultReset("fault: connection reset after the request was served")
        headers = [(k, v) for k, v in got["headers"] if k.lower() not in ("content-length", "transfer-encoding")]
        if kind == "malformed":
            data = data[:len(data) // 2] + b"\x00<html>Bad Gateway"
            start_response(got["status"], headers + [("Content-Length", str(len(data)))])
            return [data]
        if not data:  # nothing to cut: the connection closes with no answer at all
            raise FaultCut("fault: connection closed before the answer")
        start_response(got["status"], headers + [("Content-Length", str(len(data)))])
        return _truncated(data[:len(data) // 2])

    @staticmethod
    def _plain(start_response, status, body):
        start_response(status, [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
        return [body]

    @staticmethod
    def _xml(start_response, status, body):
        body = body.encode("utf-8")
        start_response(status, [("Content-Type", "text/xml"), ("Content-Length", str(len(body))),
                                ("x-amzn-RequestId", _REQUEST_ID), ("x-amz-request-id", _REQUEST_ID)])
        return [body]


INTERNAL_UA = "relcon-sandbox-internal"  # User-Agent mark of the sandbox's own requests


class FaultReset(ConnectionAbortedError):
    """Raised out of the WSGI app: the handler resets the connection (RST), no answer."""


class FaultCut(ConnectionAbortedError):
    """Raised out of the WSGI app: the handler closes the connection (FIN) where it is."""


def _truncated(half):
    """The first half of a body whose Content-Length promised all of it, then the connection
    goes (werkzeug closes it after every answer)."""
    yield half
    raise FaultCut("fault: answer truncated")


_REASONS = {400: "Bad Request", 403: "Forbidden", 404: "Not Found", 429: "Too Many Requests",
            500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
            504: "Gateway Timeout"}
# (code, message) a status fault answers by default, per protocol: "query" (CloudFormation, STS:
# <ErrorResponse>), "ec2" (<Response><Errors>), "s3" (<Error>).
_STATUS_ERRORS = {
    429: {"query": ("TooManyRequestsException", "Rate exceeded"),
          "ec2": ("RequestLimitExceeded", "Request limit exceeded."),
          "s3": ("TooManyRequests", "Please reduce your request rate.")},
    500: {"query": ("InternalFailure", "The request processing has failed because of an unknown error, "
                                       "exception or failure."),
          "ec2": ("InternalError", "An internal error has occurred."),
          "s3": ("InternalError", "We encountered an internal error. Please try again.")},
    503: {"query": ("ServiceUnavailable", "Service is unable to handle request."),
          "ec2": ("Unavailable", "The server is overloaded and can't handle the request."),
          "s3": ("ServiceUnavailable", "Service is unable to handle request.")},
}
# The real throttling answers: (status, code, message).
_THROTTLE = {"query": (400, "Throttling", "Rate exceeded"),
             "ec2": (503, "RequestLimitExceeded", "Request limit exceeded."),
             "s3": (503, "SlowDown", "Please reduce your request rate.")}


def fault_error(protocol, f):
    """(status, code, message) of a status or throttle fault f for a request of that protocol."""
    if f["kind"] == "throttle":
        status, code, message = _THROTTLE[protocol]
    else:
        status = f["status"]
        code, message = _STATUS_ERRORS.get(status, {}).get(protocol) or (
            _REASONS.get(status, "Error").replace(" ", ""), _REASONS.get(status, "HTTP %d" % status))
        code = f.get("code", code)
    return status, code, f.get("message", message)


def error_xml(protocol, status, code, message):
    """The error document of that protocol, code and message XML-escaped."""
    code, message = xml_escape(code), xml_escape(message)
    head = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    if protocol == "ec2":
        return head + ("<Response><Errors><Error><Code>%s</Code><Message>%s</Message></Error></Errors>"
                       "<RequestID>%s</RequestID></Response>" % (code, message, _REQUEST_ID))
    if protocol == "query":
        return head + ("<ErrorResponse><Error><Type>%s</Type><Code>%s</Code><Message>%s</Message></Error>"
                       "<RequestId>%s</RequestId></ErrorResponse>"
                       % ("Receiver" if status >= 500 else "Sender", code, message, _REQUEST_ID))
    return head + ("<Error><Code>%s</Code><Message>%s</Message><RequestId>%s</RequestId>"
                   "<HostId>relcon-sandbox</HostId></Error>" % (code, message, _REQUEST_ID))


_SCOPE_RE = re.compile(r"Credential=[^/,\s]+/\d{8}/([^/,\s]+)/([^/,\s]+)/aws4_request")


def classify(environ, body):
    """What an AWS request is: {"service", "op", "protocol", "stack"?, "token"?}.

    service: the SigV4 scope's (else guessed); op: the Query `Action`, or for S3 (REST) the
    operation its method, bucket, key and sub-resources make (GetObject, HeadObject,
    ListObjectsV2, PutObject, ...); protocol: "ec2", "query" or "s3"."""
    m = _SCOPE_RE.search(environ.get("HTTP_AUTHORIZATION", ""))
    service = m.group(2) if m else None
    params = dict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
    if environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        params.update(parse_qsl(body.decode("latin-1"), keep_blank_values=True))
    action = params.get("Action")
    if action:
        protocol = "ec2" if service == "ec2" or params.get("Version") == "2016-11-15" else "query"
        return {"service": service or ("ec2" if protocol == "ec2" else "query"), "op": action,
                "protocol": protocol, "stack": params.get("StackName"), "token": params.get("ClientRequestToken")}
    return {"service": service or "s3", "op": s3_op(environ, params), "protocol": "s3"}


def s3_op(environ, params):
    method = environ.get("REQUEST_METHOD", "")
    host = (environ.get("HTTP_HOST") or "").split(":")[0]
    path = environ.get("PATH_INFO", "/")
    if host in ("localhost", "127.0.0.1") or host.startswith("s3"):  # path style
        bucket, _, key = path.lstrip("/").partition("/")
    else:  # virtual-hosted style: bucket.s3....
        bucket, key = host.split(".", 1)[0], path.lstrip("/")
    if not bucket:
        return "ListBuckets"
    if key:
        if "acl" in params:
            return "GetObjectAcl" if method == "GET" else "PutObjectAcl"
        if method == "PUT" and environ.get("HTTP_X_AMZ_COPY_SOURCE"):
            return "CopyObject"
        return {"GET": "GetObject", "HEAD": "HeadObject", "PUT": "PutObject",
                "DELETE": "DeleteObject"}.get(method, method + " object")
    if method == "GET":
        for sub, op in (("location", "GetBucketLocation"), ("policy", "GetBucketPolicy"),
                        ("acl", "GetBucketAcl"), ("versioning", "GetBucketVersioning")):
            if sub in params:
                return op
        return "ListObjectsV2" if params.get("list-type") == "2" else "ListObjects"
    if method == "POST" and "delete" in params:
        return "DeleteObjects"
    return {"HEAD": "HeadBucket", "PUT": "CreateBucket", "DELETE": "DeleteBucket"}.get(method, method + " bucket")


_REQUEST_ID = "5a4d1c2e-0000-4000-8000-relconsandbox"
_AUTH_RE = re.compile(r"AWS4-HMAC-SHA256 +Credential=[^/, ]+/\d{8}/[^/, ]+/[^/, ]+/aws4_request, *"
                      r"SignedHeaders=[a-z0-9;_.-]+, *Signature=[0-9a-f]{64}")


def auth_refusal(environ, body):
    """(status, XML) for a request moto cannot even start to verify, else None.

    moto's check assumes a well-formed SigV4 Authorization header and X-Amz-Date; without them
    it fails with a 500.  These are refused here the way AWS refuses them (unsigned requests,
    presigned URLs and SigV2 included: the sandbox knows SigV4 headers only).
    """
    auth = environ.get("HTTP_AUTHORIZATION", "")
    if auth and _AUTH_RE.fullmatch(auth) and environ.get("HTTP_X_AMZ_DATE"):
        return None
    query = environ.get("QUERY_STRING", "")
    form = body.decode("latin-1") if environ.get("CONTENT_TYPE", "").startswith(
        "application/x-www-form-urlencoded") else ""
    params = dict(p.partition("=")[::2] for p in (query + "&" + form).split("&") if p)
    if not auth:
        code, msg = "MissingAuthenticationToken", "Request is missing Authentication Token"
        if "X-Amz-Signature" in params:
            msg = "Presigned URLs are not supported by the relcon sandbox; sign with the Authorization header"
    elif not environ.get("HTTP_X_AMZ_DATE") and _AUTH_RE.fullmatch(auth):
        code, msg = "IncompleteSignature", "Authorization header requires existence of the X-Amz-Date header"
    else:
        code, msg = "IncompleteSignature", ("Authorization header must be AWS4-HMAC-SHA256 Credential=AKID/"
                                            "DATE/REGION/SERVICE/aws4_request, SignedHeaders=..., Signature=...")
    if "Action" in params:  # Query protocol
        if params.get("Version") == "2016-11-15":  # EC2
            return "401 Unauthorized", (
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>AuthFailure</Code>"
                "<Message>%s</Message></Error></Errors><RequestID>%s</RequestID></Response>" % (msg, _REQUEST_ID))
        return "403 Forbidden", (
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code>"
            "<Message>%s</Message></Error><RequestId>%s</RequestId></ErrorResponse>" % (code, msg, _REQUEST_ID))
    s3code = "AccessDenied" if not auth else "AuthorizationHeaderMalformed"
    return ("403 Forbidden" if not auth else "400 Bad Request"), (
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code><Message>%s</Message>"
        "<RequestId>%s</RequestId></Error>" % (s3code, msg if auth or "X-Amz-Signature" in params else "Access Denied",
                                               _REQUEST_ID))


# --- the server -------------------------------------------------------------------------------

def register_credentials():
    """The sandbox IAM user with the fixed access key, allowed every action (after a reset too)."""
    iam = iam_backends[ACCOUNT_ID]["aws"]
    iam.create_user(region_name="us-east-1", user_name=USER_NAME, path="/", tags=[])
    key = iam.create_access_key(USER_NAME)
    del iam.access_keys[key.access_key_id]
    key.access_key_id, key.secret_access_key = ACCESS_KEY_ID, SECRET_ACCESS_KEY
    iam.access_keys[ACCESS_KEY_ID] = key
    iam.put_user_policy(USER_NAME, "sandbox-admin", ADMIN_POLICY)


def freeze_image_clock(epoch):
    """With a frozen sandbox clock (--now), AMIs are created at that instant,
    not at moto's real "now": screens showing them stay the same from run to
    run.  Only the images' creation time is pinned (moto keeps its own clock
    for everything else, signature checks included)."""
    import datetime
    from moto.ec2.models import amis
    frozen = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).replace(tzinfo=None)
    amis.utcnow = lambda: frozen


class AwsSim:
    def __init__(self, host="127.0.0.1", port=0, log=None, cfn_speed=None):
        self.host, self.req_port, self.logf = host, port, log
        self.cfn = cfn_sim.CfnSim(speed=cfn_speed, log=log)  # set_clock() it to the sandbox's clock
        self.server = self.thread = None
        self.faults = faults.Faults()  # sandbox.py makes it the Buildkite simulator's list
        self.requests = faults.RequestLog()
        self._lock = threading.Lock()
        self._session, self._session_lock = None, threading.Lock()

    @property
    def port(self):
        return self.server.server_address[1]

    @property
    def endpoint(self):
        """What clients should use: moto resolves `localhost` TemplateURLs, not 127.0.0.1 ones."""
        return "http://localhost:%d" % self.port

    @property
    def address(self):
        return "http://%s:%d" % (self.server.server_address[0], self.port)

    def start(self):
        isolate_environment()
        install_patch()
        cfn_sim.install()
        self.reset()
        app = RawRequestMiddleware(DomainDispatcherApplication(create_backend_app), self.cfn, self)
        logf = self.logf

        class Handler(WSGIRequestHandler):
            def log(self, type, message, *args):  # noqa: A002 - werkzeug's signature
                if logf:
                    logf("aws %s %s" % (self.address_string(), message % args))

            def connection_dropped(self, error, environ=None):
                """A fault's end of the connection: RST (FaultReset) or where it is (FaultCut)."""
                if isinstance(error, (FaultReset, FaultCut)):
                    self.close_connection = True
                    if logf:
                        logf("aws %s %s" % (self.address_string(), error))
                    if isinstance(error, FaultReset):
                        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                        self.connection.close()

        self.server = make_server(self.host, self.req_port, app, threaded=True, request_handler=Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.2},
                                       name="sandbox-aws", daemon=True)
        self.thread.start()
        return self

    def reset(self):
        """Empty world: every moto backend reset, the sandbox credentials registered again.

        moto's random source is re-seeded too, so the same sequence of calls (the world's
        seeding) gives the same ids (ami-..., key-...) in every run.  The simulated
        CloudFormation stacks (cfn_sim) are dropped.
        """
        with self._lock:
            self.cfn.reset()  # first: no simulated stack touches moto while it is reset
            moto_api_backend.reset()
            mock_random.seed(RANDOM_SEED)
            register_credentials()

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.thread.join(5)

    def client(self, service, region=REGION, endpoint=None):
        """A boto3 client for this sandbox, signed with the sandbox key, path-style S3.

        Clients share one session (service models load once); creating them is serialized
        because a boto3 session is not thread-safe, the clients themselves are.
        """
        with self._session_lock:
            if self._session is None:
                self._session = boto3.session.Session(aws_access_key_id=ACCESS_KEY_ID,
                                                      aws_secret_access_key=SECRET_ACCESS_KEY)
            return self._session.client(
                service, region_name=region, endpoint_url=endpoint or self.endpoint,
                config=BotoConfig(s3={"addressing_style": "path"}, retries={"max_attempts": 2},
                                  connect_timeout=5, read_timeout=30, user_agent_extra=INTERNAL_UA))
