"""The sandbox's own CloudFormation for the ReadySet super-stack, in front of moto's.

moto 5.2.1 creates a stack in one go: no events over time, no failure, no rollback.  For
stacks made from a super-stack template this module serves CloudFormation itself (Query
protocol, API version 2010-05-15), while moto keeps every other stack:

    sim = CfnSim(speed=None, log=None)     # aws_sim.AwsSim makes one: AwsSim.cfn
    sim.set_clock(lambda: sandbox.clock)   # scenario.Clock (frozen with --now, else real)
    install()                              # once: route moto's CloudFormation actions here
    sim.advance()                          # run what is due (RawRequestMiddleware, every request)
    sim.reset()                            # no stacks (AwsSim.reset)

How requests get here: install() wraps methods of moto's CloudFormationResponse.  moto calls
them from BaseResponse.call_action *after* its signature check (the check aws_sim.py makes
look at the request as sent) passed, so nothing reaches this layer unsigned or tampered.
The wrapper asks the CfnSim of the server that received the request (WSGI environ key
ENV_CFN, set by aws_sim.RawRequestMiddleware) and falls back to moto's own method when the
stack or template is not a super-stack.

Which stacks are ours: CreateStack whose TemplateURL names `readyset-*-super-template.yaml`
(the file name, any bucket), or whose template (URL or TemplateBody) has the super-stack's
shape: nested stacks BastionStack, ReadySetRDS<Engine>Stack and ReadySet<Engine>Stack.
Afterwards every action naming such a stack (or one of its nested stacks) by name or ARN is
served here; DescribeStacks without a name and ListStacks answer moto's stacks and ours.

The simulation is driven by the templates in the sandbox's S3: each nested stack is made
from the TemplateURL its parent names, its resources start when the resources they
reference (Ref, GetAtt, Sub, DependsOn) are complete, and take RESOURCE_TIMES simulated
seconds.  Time is the sandbox's clock: scheduled work is done when a request comes in
(advance()), with the timestamps it was due at.  Durations are divided by the speed
(--cfn-speed, else the clock's --speed).  EC2 resources are made in moto's EC2 backend
(VPC, subnets, internet gateway, security groups, instances, the Elastic IP); the others get
CloudFormation-style generated ids.  Scenarios come from ReadySetDeploymentName:
`fail-...` makes ReadySetServerInstance fail (insufficient capacity), `stuck-...` makes
ReadySetSecurityGroup fail to delete (dependent object).  See sandbox/README.md.

The hostile scenario (opt-in, for the terminal-safety tests): a root stack whose *name* starts
with `hostile-` carries the hostile-string corpus (tests/hostile/corpus.txt, every entry that
is valid UTF-8 without NUL: XML cannot carry the others) in every untrusted field relcon shows:
a tag `hostile:NAME` per entry, a parameter `hostile-NAME` per entry (after the template's), an
output `hostile-NAME` per entry (value and description) once created, an event per entry of a
`HostileCorpus` resource (reason "NAME: TEXT") just before the root's CREATE_COMPLETE, and a
StackStatusReason made of a few entries.  Tags the creator gives (owner, commit) are kept as
given, hostile or not.  Control characters XML 1.0 cannot carry raw go out as character
references (`&#x1B;`), as S3 writes them in object keys.  Nothing changes for any other stack.
"""
import base64
import hashlib
import heapq
import importlib.util
import json
import os
import random
import re
import threading
import time
import uuid
from datetime import datetime, timezone
from urllib.parse import unquote, urlsplit
from xml.sax.saxutils import escape

import yaml

ACCOUNT_ID = "123456789012"
NS = "http://cloudformation.amazonaws.com/doc/2010-05-15/"
ENV_CFN = "relcon.cfn"              # WSGI environ key: the CfnSim of the server
SUPER_FILE = re.compile(r"readyset-[a-z0-9]+-super-template\.yaml$")
NESTED = re.compile(r"ReadySetRDS(\w+)Stack$")
RANDOM_SEED = 4100

# Loopback addresses, so that relcon's SSH tests reach an sshd on this machine.
BASTION_EIP = "127.0.0.1"
PRIVATE_IPS = {"ReadySetMonitorInstance": "127.0.0.2", "ReadySetServerInstance": "127.0.0.3"}

FAIL_PREFIX, STUCK_PREFIX = "fail-", "stuck-"
HOSTILE_PREFIX = "hostile-"                  # root stack name of the hostile scenario
HOSTILE_CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "hostile", "corpus.py")
HOSTILE_STATUS = ("osc-title", "c1-csi", "bidi-rlo", "zw-space")   # entries in the StackStatusReason
FAIL_RESOURCE = "ReadySetServerInstance"    # CREATE_FAILED in the fail- scenario
STUCK_RESOURCE = "ReadySetSecurityGroup"    # DELETE_FAILED in the stuck- scenario

# Simulated seconds (create, delete) per resource type; nested stacks take what their
# resources take.  A whole super-stack: about 105 s to create, 80 s to delete at speed 1.
RESOURCE_TIMES = {
    "AWS::EC2::VPC": (4, 3), "AWS::EC2::InternetGateway": (3, 2),
    "AWS::EC2::VPCGatewayAttachment": (3, 4), "AWS::EC2::Subnet": (4, 2),
    "AWS::EC2::SecurityGroup": (5, 3), "AWS::EC2::Instance": (12, 14), "AWS::EC2::EIP": (3, 3),
    "AWS::RDS::DBSubnetGroup": (2, 2), "AWS::RDS::DBParameterGroup": (3, 2),
    "AWS::RDS::DBInstance": (25, 18), "AWS::IAM::Role": (10, 3), "AWS::IAM::InstanceProfile": (8, 3),
    "AWS::ElasticLoadBalancingV2::LoadBalancer": (22, 8),
    "AWS::ElasticLoadBalancingV2::TargetGroup": (2, 2),
    "AWS::ElasticLoadBalancingV2::Listener": (2, 2),
}
DEFAULT_TIMES = (3, 2)
GAP = 0.5            # between a resource completing and the ones waiting for it starting
FAIL_AFTER = 1.5     # the failing resource fails this long after it started
STUCK_AFTER = 12     # the stuck resource gives up this long after it started deleting
IAM_TYPES = ("AWS::IAM::Role", "AWS::IAM::InstanceProfile", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy",
             "AWS::IAM::User", "AWS::IAM::Group", "AWS::IAM::AccessKey", "AWS::IAM::UserToGroupAddition")

# Stack and resource statuses.
CIP, CC, CF = "CREATE_IN_PROGRESS", "CREATE_COMPLETE", "CREATE_FAILED"
RIP, RC, RF = "ROLLBACK_IN_PROGRESS", "ROLLBACK_COMPLETE", "ROLLBACK_FAILED"
DIP, DC, DF, DS = "DELETE_IN_PROGRESS", "DELETE_COMPLETE", "DELETE_FAILED", "DELETE_SKIPPED"
PRESENT = (CIP, CC, CF, DIP, DF)   # a resource that (may) still exist
STABLE = (CC, CF, RC, RF, DC, DF)
ARN_RE = re.compile(r"arn:aws:cloudformation:([a-z0-9-]+):(\d{12}):stack/([^/]+)/([0-9a-f-]+)$")
NAME_RE = re.compile(r"[a-zA-Z][-a-zA-Z0-9]*")


class CfnError(Exception):
    def __init__(self, code, message, status=400, kind="Sender"):
        super().__init__(message)
        self.code, self.message, self.status, self.kind = code, message, status, kind


def validation(message):
    return CfnError("ValidationError", message)


class TemplateError(Exception):
    """An intrinsic function that cannot be evaluated (the resource using it fails)."""


# --- templates --------------------------------------------------------------------------------

class CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short-form tags (!Ref x -> {"Ref": x}, !Sub -> {"Fn::Sub": ...})."""


def _short_form(loader, suffix, node):
    if isinstance(node, yaml.SequenceNode):
        v = loader.construct_sequence(node, deep=True)
    elif isinstance(node, yaml.MappingNode):
        v = loader.construct_mapping(node, deep=True)
    else:
        v = loader.construct_scalar(node)
    if suffix == "GetAtt" and isinstance(v, str):
        v = v.split(".", 1)
    return {suffix if suffix in ("Ref", "Condition") else "Fn::" + suffix: v}


CfnLoader.add_multi_constructor("!", _short_form)


def parse_template(text):
    try:
        t = yaml.load(text, Loader=CfnLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as e:
        raise validation("Template format error: YAML not well-formed. %s" % str(e).splitlines()[0]) from None
    if not isinstance(t, dict) or not isinstance(t.get("Resources"), dict):
        raise validation("Template format error: At least one Resources member must be defined.")
    return t


def super_engine(template):
    """'MySQL' / 'PostgreSQL' when the template has the super-stack's shape, else None."""
    res = template.get("Resources") or {}

    def nested(lid):
        return isinstance(res.get(lid), dict) and res[lid].get("Type") == "AWS::CloudFormation::Stack"
    for lid in res:
        m = NESTED.match(lid)
        if m and nested(lid) and nested("BastionStack") and nested("ReadySet%sStack" % m.group(1)):
            return m.group(1)
    return None


def s3_location(url):
    """(bucket, key) of an S3 URL in any form AWS takes, or the sandbox's own endpoint
    (http://localhost:PORT/bucket/key, also 127.0.0.1); None if it is not one."""
    try:
        u = urlsplit(url)
    except ValueError:
        return None
    host, path = (u.hostname or "").lower(), unquote(u.path or "")
    if u.scheme not in ("http", "https") or not path.startswith("/"):
        return None
    m = re.fullmatch(r"(.+)\.s3(?:[.-][a-z0-9-]+)?\.amazonaws\.com", host)
    if m and u.scheme == "https":
        return m.group(1), path[1:]
    if re.fullmatch(r"s3(?:[.-][a-z0-9-]+)?\.amazonaws\.com", host) and u.scheme == "https" or \
            host in ("localhost", "127.0.0.1"):
        bucket, _, key = path[1:].partition("/")
        return (bucket, key) if bucket and key else None
    return None


def fetch_template(url, account=ACCOUNT_ID):
    """The text of the template at url, from moto's S3."""
    loc = s3_location(url or "")
    if loc is None:
        raise validation("TemplateURL must be a supported URL.")
    from moto.s3.models import s3_backends
    try:
        obj = s3_backends[account]["aws"].get_object(*loc)
    except Exception:  # noqa: BLE001 - missing bucket or key: moto raises its own errors
        obj = None
    if obj is None:
        raise validation("TemplateURL must reference a valid S3 object to which you have access.")
    return obj.value.decode("utf-8")


def refs_of(node, names):
    """Logical ids among `names` that node refers to (Ref, Fn::GetAtt, Fn::Sub)."""
    out = set()

    def walk(n):
        if isinstance(n, dict):
            for k, v in n.items():
                if k == "Ref" and isinstance(v, str) and v in names:
                    out.add(v)
                elif k == "Fn::GetAtt":
                    target = v[0] if isinstance(v, list) and v else (v.split(".")[0] if isinstance(v, str) else None)
                    if target in names:
                        out.add(target)
                elif k == "Fn::Sub":
                    s = v[0] if isinstance(v, list) else v
                    for var in re.findall(r"\$\{([^!}][^}]*)\}", s if isinstance(s, str) else ""):
                        if var.split(".")[0] in names:
                            out.add(var.split(".")[0])
                    if isinstance(v, list) and len(v) > 1:
                        walk(v[1])
                else:
                    walk(v)
        elif isinstance(n, list):
            for x in n:
                walk(x)
    walk(node)
    return out


def capabilities_needed(template):
    """(capabilities, the resource types that need them), as CloudFormation reports them."""
    types = []
    for spec in (template.get("Resources") or {}).values():
        t = spec.get("Type") if isinstance(spec, dict) else None
        if t in IAM_TYPES or t == "AWS::CloudFormation::Stack":
            if t not in types:
                types.append(t)
    named = any(isinstance(s, dict) and s.get("Type") in IAM_TYPES and
                any(k in (s.get("Properties") or {}) for k in ("RoleName", "UserName", "GroupName",
                                                               "ManagedPolicyName", "InstanceProfileName"))
                for s in (template.get("Resources") or {}).values())
    return (["CAPABILITY_NAMED_IAM"] if named else ["CAPABILITY_IAM"]) if types else [], types


def iso(t):
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (int(t * 1000) % 1000)


# --- the model ------------------------------------------------------------------------------------

class Resource:
    def __init__(self, lid, rtype, props, deps, order):
        self.lid, self.type, self.props, self.deps, self.order = lid, rtype, props or {}, deps, order
        self.status = None          # None: not started
        self.reason = None
        self.physical = None
        self.attrs = {}
        self.ref = None             # what Ref gives (the physical id unless the type says otherwise)
        self.child = None           # nested Stack
        self.t = None               # time of the last status change
        self.start = None
        self.scheduled = False
        self.del_op = None          # the delete operation that last tried it
        self.moto = {}              # what the moto hooks made


class Stack:
    def __init__(self, region, name, sid, template, url, parent=None, lid=None):
        self.region, self.name, self.id, self.template, self.url = region, name, sid, template, url
        self.parent, self.lid = parent, lid
        self.root = parent.root if parent else self
        self.description = template.get("Description")
        self.params = []            # [(key, value, resolved or None)]
        self.values = {}            # key -> value for Ref (lists split, SSM resolved)
        self.resources = {}
        self.outputs = []
        self.events = []
        self.status, self.reason = None, None
        self.created = self.updated = self.deleted = None
        self.op = 0
        self.inflight = 0
        self.mode = None            # "delete" | "rollback" while resources are being deleted
        self.retain, self.retain_next = set(), set()
        self.tags, self.capabilities = [], []
        self.disable_rollback = False
        self.on_failure = "ROLLBACK"
        self.protection = False
        self.token = None           # ClientRequestToken of the operation in progress
        self.create_token = None
        self.pending_delete = None  # (retain, token): DeleteStack during a rollback
        self.scenario = None        # "fail" | "stuck" | None (root's ReadySetDeploymentName)
        self.hostile = False        # the hostile scenario (root's name starts with HOSTILE_PREFIX)
        self.timeout = None         # TimeoutInMinutes (kept, not enforced)
        self.last_event = 0.0

    def live(self):
        return self.status != DC


# --- the simulator --------------------------------------------------------------------------------

class CfnSim:
    def __init__(self, speed=None, log=None, account=ACCOUNT_ID):
        self.lock = threading.RLock()
        self.speed_override, self.logf, self.account = speed, log, account
        self.clock_fn = None
        self.reset()

    # clock
    def set_clock(self, fn):
        """fn() -> the sandbox's scenario.Clock (it is replaced on every reset)."""
        with self.lock:
            self.clock_fn = fn

    def now(self):
        c = self.clock_fn() if self.clock_fn else None
        return c.now() if c is not None else time.time()

    @property
    def speed(self):
        if self.speed_override:
            return float(self.speed_override)
        c = self.clock_fn() if self.clock_fn else None
        return max(float(getattr(c, "speed", 1.0) or 1.0), 1e-6)

    def d(self, secs):
        return secs / self.speed

    def log(self, text):
        if self.logf:
            self.logf("cfn " + text)

    def reset(self):
        with self.lock:
            self.stacks = []           # every stack ever made (deleted ones too), in order
            self.by_id = {}
            self.agenda = []
            self.seq = 0
            self.rng = random.Random(RANDOM_SEED)
            self.tokens = {}           # (region, name, token) -> stack id

    # ids
    def _uuid(self):
        r = self.rng.getrandbits(128)
        return "%08x-%04x-11f%01x-%04x-%012x" % (r >> 96, (r >> 80) & 0xFFFF, (r >> 76) & 0xF,
                                                 0x8000 | ((r >> 60) & 0x3FFF), r & 0xFFFFFFFFFFFF)

    def _rand(self, n, chars="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"):
        return "".join(self.rng.choice(chars) for _ in range(n))

    def _hex(self, n):
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def _gen_name(self, st, lid, maxlen=128, lower=False):
        """CloudFormation's generated physical names: <stack>-<logical id>-<random>."""
        suffix = self._rand(12 if maxlen < 64 else 13)
        room = maxlen - len(suffix) - 2
        a = st.name[:max(room - min(len(lid), room // 2), room // 2)]
        b = lid[:room - len(a)]
        name = "%s-%s-%s" % (a, b, suffix)
        return name.lower() if lower else name

    def _arn(self, region, name):
        return "arn:aws:cloudformation:%s:%s:stack/%s/%s" % (region, self.account, name, self._uuid())

    # agenda
    def _at(self, st, t, fn, *args):
        self.seq += 1
        heapq.heappush(self.agenda, (t, self.seq, st, st.op, fn, args))

    def advance(self, now=None):
        """Do everything that is due by now (the sandbox clock), in time order."""
        with self.lock:
            now = self.now() if now is None else now
            while self.agenda and self.agenda[0][0] <= now:
                t, _, st, op, fn, args = heapq.heappop(self.agenda)
                if st.op != op:
                    continue
                try:
                    fn(t, st, *args)
                except Exception as e:  # noqa: BLE001 - never let one stack break the server
                    self.log("error in %s of %s: %r" % (fn.__name__, st.name, e))

    # events
    def _event(self, st, t, lid, rtype, status, reason=None, physical=None, token=None):
        t = max(t, st.last_event + 0.001)
        st.last_event = t
        if lid == st.name and rtype == "AWS::CloudFormation::Stack" and physical == st.id:
            eid = self._uuid()
        else:
            eid = "%s-%s-%s" % (lid, status, iso(t))
        st.events.append(dict(EventId=eid, StackId=st.id, StackName=st.name, LogicalResourceId=lid,
                              PhysicalResourceId=physical, ResourceType=rtype, Timestamp=t,
                              ResourceStatus=status, ResourceStatusReason=reason,
                              ClientRequestToken=token if token is not None else st.token))
        return t

    def _stack_status(self, st, t, status, reason=None, event_reason=None):
        st.status, st.reason = status, reason
        return self._event(st, t, st.name, "AWS::CloudFormation::Stack", status,
                           event_reason if event_reason is not None else reason, st.id)

    def _res_status(self, st, r, t, status, reason=None):
        r.status, r.reason = status, reason
        r.t = self._event(st, t, r.lid, r.type, status, reason, r.physical)

    # --- intrinsic functions -------------------------------------------------------------------
    def _ev(self, st, node):
        if isinstance(node, dict):
            if len(node) == 1:
                (k, v), = node.items()
                if k == "Ref":
                    return self._ref(st, v)
                if k.startswith("Fn::") or k == "Condition":
                    return self._fn(st, k, v)
            out = {}
            for k, v in node.items():
                v = self._ev(st, v)
                if v is not _NOVALUE:
                    out[k] = v
            return out
        if isinstance(node, list):
            return [x for x in (self._ev(st, x) for x in node) if x is not _NOVALUE]
        return node

    def _ref(self, st, name):
        pseudo = {"AWS::Region": st.region, "AWS::StackName": st.name, "AWS::StackId": st.id,
                  "AWS::AccountId": self.account, "AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com",
                  "AWS::NotificationARNs": []}
        if name == "AWS::NoValue":
            return _NOVALUE
        if name in pseudo:
            return pseudo[name]
        if name in st.values:
            return st.values[name]
        r = st.resources.get(name)
        if r is not None:
            if r.ref is None:
                raise TemplateError("Template error: resource %s has no value yet for Ref" % name)
            return r.ref
        raise TemplateError("Template format error: Unresolved resource dependencies [%s] in the Resources "
                            "block of the template" % name)

    def _getatt(self, st, lid, attr):
        r = st.resources.get(lid)
        if r is None:
            raise TemplateError("Template error: instance of Fn::GetAtt references undefined resource %s" % lid)
        if r.child is not None and attr.startswith("Outputs."):
            outs = {k: v for k, v, _ in r.child.outputs}
            if attr[8:] in outs:
                return outs[attr[8:]]
        elif attr in r.attrs:
            return r.attrs[attr]
        raise TemplateError("Template error: resource %s does not support attribute type %s in Fn::GetAtt"
                            % (lid, attr))

    def _fn(self, st, k, v):
        ev = lambda x: self._ev(st, x)  # noqa: E731
        if k == "Fn::GetAtt":
            lid, attr = (v if isinstance(v, list) else v.split(".", 1))
            return self._getatt(st, ev(lid), ev(attr))
        if k == "Fn::Join":
            sep, items = v
            items = ev(items)
            return ev(sep).join(str(x) for x in (items if isinstance(items, list) else [items]))
        if k == "Fn::Select":
            idx, items = ev(v[0]), ev(v[1])
            items = items.split(",") if isinstance(items, str) else items
            try:
                return items[int(idx)]
            except (IndexError, ValueError, TypeError):
                raise TemplateError("Template error: Fn::Select cannot select nonexistent value at index %s"
                                    % idx) from None
        if k == "Fn::Split":
            return ev(v[1]).split(ev(v[0]))
        if k == "Fn::If":
            return ev(v[1] if self._cond(st, v[0]) else v[2])
        if k == "Fn::FindInMap":
            m, a, b = (ev(x) for x in v[:3])
            try:
                return st.template["Mappings"][m][a][b]
            except (KeyError, TypeError):
                raise TemplateError("Template error: Unable to get mapping for %s::%s::%s" % (m, a, b)) from None
        if k == "Fn::Base64":
            return base64.b64encode(str(ev(v)).encode()).decode()
        if k == "Fn::GetAZs":
            return ["%s%s" % (ev(v) or st.region, z) for z in "abc"]
        if k == "Fn::Sub":
            s, env = (v[0], ev(v[1])) if isinstance(v, list) else (v, {})

            def one(m):
                var = m.group(1)
                if var.startswith("!"):
                    return "${" + var[1:] + "}"
                if var in env:
                    return str(env[var])
                if "." in var and not var.startswith("AWS::"):
                    lid, attr = var.split(".", 1)
                    return str(self._getatt(st, lid, attr))
                val = self._ref(st, var)
                return ",".join(val) if isinstance(val, list) else str(val)
            return re.sub(r"\$\{([^}]*)\}", one, s)
        if k in ("Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not", "Condition"):
            return self._cond(st, {k: v})
        raise TemplateError("Template format error: Unrecognized function %s" % k)

    def _cond(self, st, c):
        if isinstance(c, str):
            return self._cond(st, (st.template.get("Conditions") or {}).get(c, False))
        if isinstance(c, bool):
            return c
        (k, v), = c.items()
        if k == "Condition":
            return self._cond(st, v)
        if k == "Fn::Equals":
            a, b = (self._ev(st, x) for x in v)
            return str(a) == str(b)
        if k == "Fn::Not":
            return not self._cond(st, v[0])
        if k == "Fn::And":
            return all(self._cond(st, x) for x in v)
        if k == "Fn::Or":
            return any(self._cond(st, x) for x in v)
        return bool(self._ev(st, c))

    # --- making stacks ----------------------------------------------------------------------
    def _bind_params(self, st, given):
        """Parameter values (given, else defaults) and what Ref gives for each."""
        for key, spec in (st.template.get("Parameters") or {}).items():
            spec = spec or {}
            val = given.get(key, spec.get("Default"))
            val = "" if val is None else str(val)
            ptype = str(spec.get("Type", "String"))
            resolved = None
            if ptype.startswith("AWS::SSM::Parameter::Value<"):
                resolved = "ami-0" + hashlib.sha1(("%s|%s" % (st.region, val)).encode()).hexdigest()[:16]
                ref = resolved
            elif ptype.startswith("List<") or ptype == "CommaDelimitedList":
                ref = [x.strip() for x in val.split(",")] if val else []
            else:
                ref = val
            st.params.append((key, val, resolved))
            st.values[key] = ref

    def _build_resources(self, st):
        specs = st.template.get("Resources") or {}
        names = set(specs)
        for i, (lid, spec) in enumerate(specs.items()):
            spec = spec or {}
            if "Condition" in spec and not self._cond(st, spec["Condition"]):
                continue
            deps = refs_of(spec.get("Properties") or {}, names)
            dep_on = spec.get("DependsOn") or []
            deps |= set([dep_on] if isinstance(dep_on, str) else dep_on) & names
            deps.discard(lid)
            st.resources[lid] = Resource(lid, spec.get("Type"), spec.get("Properties"), deps, i)
        for r in st.resources.values():
            r.deps = {d for d in r.deps if d in st.resources}

    def _new_stack(self, region, name, template, url, parent=None, lid=None, given=None):
        st = Stack(region, name, self._arn(region, name), template, url, parent, lid)
        if parent is not None:
            root = parent.root
            st.tags, st.capabilities = list(root.tags), list(root.capabilities)
            st.disable_rollback, st.scenario = root.disable_rollback, root.scenario
            st.hostile = root.hostile
        self._bind_params(st, given or {})
        self._build_resources(st)
        self.stacks.append(st)
        self.by_id[st.id] = st
        return st

    # --- create ------------------------------------------------------------------------------
    def _start_create(self, t, st):
        st.created = t
        self._stack_status(st, t, CIP, None, "User Initiated")
        self._at(st, t + self.d(1.0), self._create_kick)

    def _create_kick(self, t, st):
        if st.status != CIP:
            return
        for r in sorted(st.resources.values(), key=lambda r: r.order):
            if r.status is None and not r.scheduled and all(st.resources[d].status == CC for d in r.deps):
                r.scheduled = True
                self._at(st, t + self.d(GAP), self._res_create_start, r)
        if all(r.status == CC for r in st.resources.values()):
            self._at(st, t + self.d(1.0), self._create_done)

    def _res_create_start(self, t, st, r):
        r.start = t
        self._res_status(st, r, t, CIP)
        if st.scenario == "fail" and r.lid == FAIL_RESOURCE:
            self._at(st, t + self.d(FAIL_AFTER), self._res_create_failed, r, self._capacity_reason(st, r))
        elif r.type == "AWS::CloudFormation::Stack":
            self._at(st, t + self.d(0.5), self._nested_start, r)
        else:
            self._at(st, t + self.d(0.5), self._res_initiated, r)

    def _res_initiated(self, t, st, r):
        try:
            props = self._ev(st, r.props)
            r.physical, r.attrs, r.ref = self._make(st, r, props)
        except TemplateError as e:
            return self._res_create_failed(t, st, r, str(e))
        except Exception as e:  # noqa: BLE001 - moto refused: the resource fails like in AWS
            return self._res_create_failed(t, st, r, 'Resource handler returned message: "%s" (RequestToken: %s, '
                                           'HandlerErrorCode: GeneralServiceException)' % (e, self._uuid()))
        if r.ref is None:
            r.ref = r.physical
        self._res_status(st, r, t, CIP, "Resource creation Initiated")
        create, _ = RESOURCE_TIMES.get(r.type, DEFAULT_TIMES)
        self._at(st, max(t, r.start + self.d(create)), self._res_create_done, r)

    def _res_create_done(self, t, st, r):
        if r.status != CIP:
            return
        self._res_status(st, r, t, CC)
        self._create_kick(t, st)

    def _nested_start(self, t, st, r):
        try:
            props = self._ev(st, r.props)
            url = props.get("TemplateURL")
            template = parse_template(fetch_template(url, self.account))
            given = {k: (",".join(v) if isinstance(v, list) else str(v))
                     for k, v in (props.get("Parameters") or {}).items()}
        except TemplateError as e:
            return self._res_create_failed(t, st, r, str(e))
        except CfnError as e:
            return self._res_create_failed(t, st, r, e.message)
        name = "%s-%s-%s" % (st.name[:128 - len(r.lid) - 15], r.lid, self._rand(13))
        child = self._new_stack(st.region, name, template, url, parent=st, lid=r.lid, given=given)
        r.child, r.physical, r.ref = child, child.id, child.id
        self._start_create(t, child)
        self._res_status(st, r, t, CIP, "Resource creation Initiated")

    def _create_done(self, t, st):
        if st.status != CIP or not all(r.status == CC for r in st.resources.values()):
            return
        outs = []
        for key, spec in (st.template.get("Outputs") or {}).items():
            spec = spec or {}
            if "Condition" in spec and not self._cond(st, spec["Condition"]):
                continue
            try:
                val = self._ev(st, spec.get("Value"))
            except TemplateError as e:
                self.log("output %s of %s: %s" % (key, st.name, e))
                continue
            outs.append((key, ",".join(val) if isinstance(val, list) else str(val), spec.get("Description")))
        st.outputs = outs
        st.token = st.create_token
        reason = None
        if st.hostile and st.parent is None:
            reason = self._hostile_finish(t, st)
        self._stack_status(st, t, CC, reason)
        self._finished(t, st)

    # --- the hostile scenario ------------------------------------------------------------------
    @staticmethod
    def hostile_corpus():
        """(name, text) of every corpus entry XML can carry: valid UTF-8, no NUL."""
        spec = importlib.util.spec_from_file_location("relcon_hostile_corpus", HOSTILE_CORPUS)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        return [(e.name, e.text) for e in mod.load() if e.valid_utf8 and "\0" not in e.text]

    def _hostile_start(self, st):
        """At CreateStack: the corpus in the root's tags and parameters."""
        corpus = self.hostile_corpus()
        st.tags += [{"Key": "hostile:" + n, "Value": text} for n, text in corpus]
        st.params += [("hostile-" + n, text, None) for n, text in corpus]

    def _hostile_finish(self, t, st):
        """At the root's CREATE_COMPLETE: outputs, events and the status reason."""
        corpus = self.hostile_corpus()
        st.outputs += [("hostile-" + n, text, "%s: %s" % (n, text)) for n, text in corpus]
        for n, text in corpus:
            self._event(st, t, "HostileCorpus", "AWS::CloudFormation::WaitCondition", CC, "%s: %s" % (n, text),
                        "hostile-corpus")
        by_name = dict(corpus)
        return " | ".join(by_name[n] for n in HOSTILE_STATUS if n in by_name)

    def _res_create_failed(self, t, st, r, reason):
        if r.status not in (None, CIP):
            return
        self._res_status(st, r, t, CF, reason)
        self._stack_create_failed(t, st)

    def _cancel(self, t, st):
        """Stop a stack's creation: what is in progress fails with "Resource creation cancelled"."""
        st.op += 1
        for r in sorted(st.resources.values(), key=lambda r: r.order):
            if r.status == CIP:
                if r.child is not None and r.child.status == CIP:
                    self._cancel(t, r.child)
                    self._stack_status(r.child, t, CF, "Resource creation cancelled")
                self._res_status(st, r, t, CF, "Resource creation cancelled")

    def _stack_create_failed(self, t, st):
        if st.status != CIP:
            return
        self._cancel(t, st)
        failed = [r.lid for r in sorted(st.resources.values(), key=lambda r: (r.t or 0, r.order)) if r.status == CF]
        reason = "The following resource(s) failed to create: [%s]. " % ", ".join(failed)
        t += self.d(0.5)
        if st.root.disable_rollback:
            self._stack_status(st, t, CF, reason)
            self._finished(t, st)
        else:
            st.updated = t
            self._stack_status(st, t, RIP, reason + "Rollback requested by user.")
            self._start_delete(t, st, "rollback")

    # --- delete ------------------------------------------------------------------------------
    def _start_delete(self, t, st, mode, retain=(), token=None):
        st.op += 1
        st.mode, st.retain, st.inflight = mode, set(retain), 0
        if mode == "delete":
            st.token = token
            st.deleted = st.updated = t
            self._stack_status(st, t, DIP, None, "User Initiated")
        self._at(st, t + self.d(1.0), self._delete_kick)

    def _delete_kick(self, t, st):
        if st.status not in (DIP, RIP):
            return
        res = sorted(st.resources.values(), key=lambda r: -r.order)
        for r in res:
            if r.status not in PRESENT or r.del_op == st.op:
                continue
            if any(x.status in PRESENT and r.lid in x.deps for x in res):
                continue
            r.del_op = st.op
            st.inflight += 1
            self._at(st, t + self.d(GAP), self._res_delete_start, r)
        if st.inflight == 0:
            self._delete_finish(t, st)

    def _res_delete_start(self, t, st, r):
        if r.lid in st.retain:
            self._res_status(st, r, t, DS)
            return self._res_deleted(t, st, r)
        if r.status == CF and r.physical is None:  # never made: nothing to delete
            self._res_status(st, r, t, DIP)
            return self._at(st, t + self.d(0.3), self._res_delete_done, r)
        self._res_status(st, r, t, DIP)
        if r.child is not None:
            child = r.child
            if child.status == DC:
                return self._at(st, t + self.d(0.5), self._res_delete_done, r)
            if child.status != DIP:
                retain, child.retain_next = child.retain_next, set()
                self._start_delete(t, child, "delete", retain)
            return
        self._unmake_start(st, r)
        _, dur = RESOURCE_TIMES.get(r.type, DEFAULT_TIMES)
        if st.root.scenario == "stuck" and r.lid == STUCK_RESOURCE:
            return self._at(st, t + self.d(STUCK_AFTER), self._res_delete_failed, r, (
                'Resource handler returned message: "resource %s has a dependent object (Service: Ec2, Status Code: '
                '400, Request ID: %s)" (RequestToken: %s, HandlerErrorCode: InvalidRequest)'
                % (r.physical, self._uuid(), self._uuid())))
        self._at(st, t + self.d(dur), self._res_delete_done, r)

    def _res_delete_done(self, t, st, r):
        if r.status != DIP:
            return
        self._unmake(st, r)
        self._res_status(st, r, t, DC)
        self._res_deleted(t, st, r)

    def _res_delete_failed(self, t, st, r, reason):
        if r.status != DIP:
            return
        self._res_status(st, r, t, DF, reason)
        self._res_deleted(t, st, r)

    def _res_deleted(self, t, st, r):
        st.inflight -= 1
        self._delete_kick(t, st)

    def _delete_finish(self, t, st):
        failed = [r.lid for r in sorted(st.resources.values(), key=lambda r: r.order) if r.status == DF]
        t += self.d(0.5)
        if st.mode == "rollback":
            if failed:
                self._stack_status(st, t, RF, "The following resource(s) failed to delete: [%s]. " % ", ".join(failed))
            else:
                self._stack_status(st, t, RC)
        elif failed:
            self._stack_status(st, t, DF, "The following resource(s) failed to delete: [%s]. " % ", ".join(failed))
        else:
            self._stack_status(st, t, DC)
        st.mode = None
        self._finished(t, st)

    def _finished(self, t, st):
        """A stack reached a stable status: tell its parent, or go on with what the root asked."""
        parent = st.parent
        if parent is not None:
            r = parent.resources.get(st.lid)
            if r is None or r.child is not st:
                return
            if r.status == CIP:
                if st.status == CC:
                    self._at(parent, t + self.d(0.5), self._res_create_done, r)
                elif st.status in (CF, RC, RF):
                    self._at(parent, t + self.d(0.5), self._res_create_failed, r,
                             "Embedded stack %s was not successfully created: %s" % (st.id, self._why(st)))
            elif r.status == DIP:
                if st.status == DC:
                    self._at(parent, t + self.d(0.5), self._res_delete_done, r)
                elif st.status == DF:
                    self._at(parent, t + self.d(0.5), self._res_delete_failed, r,
                             "Embedded stack %s was not successfully deleted: %s" % (st.id, st.reason))
            return
        if st.status in (RC, RF, CF) and st.pending_delete is not None:
            retain, token = st.pending_delete
            st.pending_delete = None
            self._start_delete(t, st, "delete", retain, token)
        elif st.status == RC and st.on_failure == "DELETE":
            self._start_delete(t, st, "delete", (), st.create_token)

    @staticmethod
    def _why(st):
        """The reason a nested stack's creation failed (its rollback's reason, or its own)."""
        if st.reason:
            return st.reason
        for e in reversed(st.events):
            if e["LogicalResourceId"] == st.name and e["ResourceStatus"] in (RIP, CF):
                return (e["ResourceStatusReason"] or "").replace("Rollback requested by user.", "").rstrip() + " "
        return ""

    # --- EC2 in moto, and the generated ids of everything else ----------------------------------
    def _ec2(self, st):
        from moto.ec2.models import ec2_backends
        return ec2_backends[self.account][st.region]

    def _tags(self, st, r, props):
        # Not the hostile scenario's tags: moto's EC2 would write their control characters raw.
        tags = {t["Key"]: t["Value"] for t in st.root.tags
                if not t["Key"].startswith("hostile:") and not _XML_REFS.search(str(t["Value"]))}
        tags.update({"aws:cloudformation:stack-name": st.name, "aws:cloudformation:stack-id": st.id,
                     "aws:cloudformation:logical-id": r.lid})
        for t in props.get("Tags") or []:
            if isinstance(t, dict) and "Key" in t:
                tags[str(t["Key"])] = str(t.get("Value", ""))
        return tags

    def _make(self, st, r, props):
        """(physical id, attributes, Ref value or None) of a resource being created."""
        region, acct = st.region, self.account
        t = r.type
        if t.startswith("AWS::EC2::"):
            ec2 = self._ec2(st)
            tags = self._tags(st, r, props)
            if t == "AWS::EC2::VPC":
                vpc = ec2.create_vpc(props.get("CidrBlock", "10.0.0.0/16"))
                ec2.create_tags([vpc.id], tags)
                return vpc.id, {"CidrBlock": vpc.cidr_block, "VpcId": vpc.id}, None
            if t == "AWS::EC2::InternetGateway":
                igw = ec2.create_internet_gateway()
                ec2.create_tags([igw.id], tags)
                return igw.id, {"InternetGatewayId": igw.id}, None
            if t == "AWS::EC2::VPCGatewayAttachment":
                ec2.attach_internet_gateway(props["InternetGatewayId"], props["VpcId"])
                r.moto = {"igw": props["InternetGatewayId"], "vpc": props["VpcId"]}
                return "IGW|" + props["VpcId"], {}, None
            if t == "AWS::EC2::Subnet":
                sn = ec2.create_subnet(props["VpcId"], props["CidrBlock"],
                                       availability_zone=props.get("AvailabilityZone"))
                if str(props.get("MapPublicIpOnLaunch")).lower() == "true":
                    sn.map_public_ip_on_launch = True
                ec2.create_tags([sn.id], tags)
                return sn.id, {"SubnetId": sn.id, "AvailabilityZone": sn.availability_zone,
                               "VpcId": props["VpcId"]}, None
            if t == "AWS::EC2::SecurityGroup":
                sg = ec2.create_security_group(self._gen_name(st, r.lid, 255), props.get("GroupDescription") or r.lid,
                                               vpc_id=props.get("VpcId"))
                ec2.create_tags([sg.id], tags)
                return sg.id, {"GroupId": sg.id, "VpcId": props.get("VpcId")}, None
            if t == "AWS::EC2::Instance":
                res = ec2.run_instances(
                    props.get("ImageId"), 1, None, [], instance_type=props.get("InstanceType", "m1.small"),
                    is_instance_type_default=False, region_name=region, subnet_id=props.get("SubnetId"),
                    key_name=props.get("KeyName"), security_group_ids=list(props.get("SecurityGroupIds") or []),
                    associate_public_ip=None, tags={"instance": tags})
                inst = res.instances[0]
                if r.lid in PRIVATE_IPS:  # moto checks the subnet's CIDR in RunInstances: set it afterwards
                    inst.nics[0].private_ip_address = PRIVATE_IPS[r.lid]
                return inst.id, self._instance_attrs(inst), None
            if t == "AWS::EC2::EIP":
                eip = ec2.allocate_address(props.get("Domain", "vpc"), address=BASTION_EIP)
                eip.add_tags(tags)
                if props.get("InstanceId"):
                    ec2.associate_address(instance=ec2.get_instance(props["InstanceId"]),
                                          allocation_id=eip.allocation_id)
                    inst = st.resources.get(next((x.lid for x in st.resources.values()
                                                  if x.physical == props["InstanceId"]), ""), None)
                    if inst is not None:
                        inst.attrs.update(PublicIp=BASTION_EIP, PublicDnsName="ec2-%s.%s.compute.amazonaws.com"
                                          % (BASTION_EIP.replace(".", "-"), region))
                r.moto = {"allocation": eip.allocation_id}
                return eip.public_ip, {"AllocationId": eip.allocation_id, "PublicIp": eip.public_ip}, None
        if t == "AWS::IAM::Role":
            name = self._gen_name(st, r.lid, 64)
            return name, {"Arn": "arn:aws:iam::%s:role/%s" % (acct, name), "RoleId": "AROA" + self._rand(17)}, None
        if t == "AWS::IAM::InstanceProfile":
            name = self._gen_name(st, r.lid, 128)
            return name, {"Arn": "arn:aws:iam::%s:instance-profile/%s" % (acct, name)}, None
        if t in ("AWS::RDS::DBSubnetGroup", "AWS::RDS::DBParameterGroup"):
            return self._gen_name(st, r.lid, 255, lower=True), {}, None
        if t == "AWS::RDS::DBInstance":
            name = self._gen_name(st, r.lid, 63, lower=True)
            port = "3306" if str(props.get("Engine", "mysql")).startswith(("mysql", "mariadb", "aurora-mysql")) \
                else "5432"
            host = "%s.c%s.%s.rds.amazonaws.com" % (name, self._rand(10, "abcdefghijklmnopqrstuvwxyz0123456789"),
                                                    region)
            return name, {"Endpoint.Address": host, "Endpoint.Port": port,
                          "DBInstanceArn": "arn:aws:rds:%s:%s:db:%s" % (region, acct, name)}, None
        if t == "AWS::ElasticLoadBalancingV2::LoadBalancer":
            name, h = self._gen_name(st, r.lid, 32), self._hex(16)
            kind = "net" if props.get("Type") == "network" else "app"
            arn = "arn:aws:elasticloadbalancing:%s:%s:loadbalancer/%s/%s/%s" % (region, acct, kind, name, h)
            r.moto = {"lb": "%s/%s/%s" % (kind, name, h)}
            return arn, {"DNSName": "%s-%s.elb.%s.amazonaws.com" % (name, h, region), "LoadBalancerName": name,
                         "LoadBalancerFullName": "%s/%s/%s" % (kind, name, h),
                         "CanonicalHostedZoneID": "ZLMOA37VPKANP"}, None
        if t == "AWS::ElasticLoadBalancingV2::TargetGroup":
            name = self._gen_name(st, r.lid, 32)
            arn = "arn:aws:elasticloadbalancing:%s:%s:targetgroup/%s/%s" % (region, acct, name, self._hex(16))
            return arn, {"TargetGroupName": name, "TargetGroupFullName": arn.split(":", 5)[5]}, None
        if t == "AWS::ElasticLoadBalancingV2::Listener":
            lb = str(props.get("LoadBalancerArn", ""))
            lbpart = lb.split("loadbalancer/", 1)[-1] if "loadbalancer/" in lb else "net/lb/" + self._hex(16)
            arn = "arn:aws:elasticloadbalancing:%s:%s:listener/%s/%s" % (region, acct, lbpart, self._hex(16))
            return arn, {"ListenerArn": arn}, None
        return self._gen_name(st, r.lid), {}, None

    @staticmethod
    def _instance_attrs(inst):
        a = {"PrivateIp": inst.private_ip, "PrivateDnsName": "ip-%s.%s.compute.internal"
             % (inst.private_ip.replace(".", "-"), inst.region_name), "AvailabilityZone": inst.placement}
        if inst.public_ip:
            a.update(PublicIp=inst.public_ip, PublicDnsName="ec2-%s.%s.compute.amazonaws.com"
                     % (inst.public_ip.replace(".", "-"), inst.region_name))
        return a

    def _unmake_start(self, st, r):
        if r.type == "AWS::EC2::Instance" and r.physical:
            try:
                from moto.ec2.models.instances import InstanceState
                inst = self._ec2(st).get_instance(r.physical)
                if inst.state in ("pending", "running", "stopping", "stopped"):
                    inst._state = InstanceState("shutting-down", 32)
            except Exception as e:  # noqa: BLE001
                self.log("shutting down %s: %r" % (r.physical, e))

    def _unmake(self, st, r):
        """Delete what the resource made in moto (best effort: a failure is only logged)."""
        if not r.physical or not r.type.startswith("AWS::EC2::"):
            return
        ec2 = self._ec2(st)
        try:
            if r.type == "AWS::EC2::Instance":
                ec2.terminate_instances([r.physical])
            elif r.type == "AWS::EC2::EIP":
                # moto's release_address disassociates *by IP*, and every bastion EIP here is
                # 127.0.0.1: detach this one (by allocation id) first, as moto would.
                eip = ec2.address_by_allocation([r.moto.get("allocation")])[0]
                if eip.eni is not None:
                    eip.eni.public_ip = None
                    if eip.eni.instance is not None and eip.eni.instance._state.name == "running":
                        eip.eni.check_auto_public_ip()
                eip.instance = eip.eni = eip.association_id = None
                ec2.release_address(allocation_id=eip.allocation_id)
            elif r.type == "AWS::EC2::SecurityGroup":
                ec2.delete_security_group(group_id=r.physical)
            elif r.type == "AWS::EC2::Subnet":
                ec2.delete_subnet(r.physical)
            elif r.type == "AWS::EC2::VPCGatewayAttachment":
                ec2.detach_internet_gateway(r.moto["igw"], r.moto["vpc"])
            elif r.type == "AWS::EC2::InternetGateway":
                ec2.delete_internet_gateway(r.physical)
            elif r.type == "AWS::EC2::VPC":
                ec2.delete_vpc(r.physical)
        except Exception as e:  # noqa: BLE001
            self.log("deleting %s %s in moto: %r" % (r.type, r.physical, e))

    @staticmethod
    def _capacity_reason(st, r):
        itype = "m5.xlarge"
        try:
            itype = str(st.values.get("ReadySetServerInstanceType") or itype)
        except Exception:  # noqa: BLE001
            pass
        zones = ["%s%s" % (st.region, z) for z in "abc"]
        return ('Resource handler returned message: "We currently do not have sufficient %s capacity in the '
                'Availability Zone you requested (%s). Our system will be working on provisioning additional '
                'capacity. You can currently get %s capacity by not specifying an Availability Zone in your '
                'request or choosing %s. (Service: Ec2, Status Code: 500, Request ID: %s)" (RequestToken: %s, '
                'HandlerErrorCode: GeneralServiceException)'
                % (itype, zones[0], itype, ", ".join(zones[1:]),
                   uuid.UUID(int=random.Random(st.id).getrandbits(128)),
                   uuid.UUID(int=random.Random(st.name).getrandbits(128))))

    # --- lookups -------------------------------------------------------------------------------
    def find(self, region, name_or_id, deleted_by_id=True):
        """Our stack with this name (live only) or ARN (deleted too), in region; else None."""
        if not name_or_id:
            return None
        m = ARN_RE.match(name_or_id)
        if m:
            st = self.by_id.get(name_or_id)
            return st if st is not None and st.region == region and (deleted_by_id or st.live()) else None
        for st in reversed(self.stacks):
            if st.region == region and st.name == name_or_id and st.live():
                return st
        return None

    # --- request handling --------------------------------------------------------------------
    def dispatch(self, action, resp):
        """Serve one of moto's CloudFormationResponse actions, or None to let moto do it."""
        with self.lock:
            self.advance()
            fn = getattr(self, "h_" + action, None)
            if fn is None:
                return None
            try:
                return fn(resp, resp.region)
            except CfnError as e:
                return _error(e)

    # CreateStack
    def h_create_stack(self, resp, region):
        p = resp._get_param
        name, url, body = p("StackName"), p("TemplateURL"), p("TemplateBody")
        file_match = bool(url and SUPER_FILE.search(urlsplit(url).path if "://" in url else url))
        template = None
        try:
            if url and not body:
                template = parse_template(fetch_template(url, self.account))
            elif body and not url:
                template = parse_template(body)
        except CfnError:
            if file_match:
                raise
        mine = file_match or (template is not None and super_engine(template) is not None)
        if not mine:
            if name and self.find(region, name) is not None:
                raise CfnError("AlreadyExistsException", "Stack [%s] already exists" % name)
            return None
        if not name:
            raise validation("1 validation error detected: Value null at 'stackName' failed to satisfy constraint: "
                             "Member must not be null")
        if len(name) > 128 or not NAME_RE.fullmatch(name):
            raise validation("1 validation error detected: Value '%s' at 'stackName' failed to satisfy constraint: "
                             "Member must satisfy regular expression pattern: "
                             "[a-zA-Z][-a-zA-Z0-9]*|arn:[-a-zA-Z0-9:/._+]*" % name)
        if url and body:
            raise validation("Specify exactly one of TemplateBody or TemplateUrl.")
        token = p("ClientRequestToken")
        existing = self.find(region, name)
        if existing is not None:
            if token and existing.create_token == token:
                return _ok("CreateStack", _e("StackId", existing.id))
            raise CfnError("AlreadyExistsException", "Stack [%s] already exists" % name)
        if p("DisableRollback") is not None and p("OnFailure"):
            raise validation("You cannot specify both DisableRollback and OnFailure.")
        given = {}
        for item in p("Parameters", []) or []:
            key = item.get("ParameterKey")
            if item.get("UsePreviousValue"):
                raise validation("Invalid input for parameter key %s. Cannot specify usePreviousValue as true for "
                                 "a stack that does not exist" % key)
            given[key] = "" if item.get("ParameterValue") is None else str(item.get("ParameterValue"))
        decl = template.get("Parameters") or {}
        unknown = [k for k in given if k not in decl]
        if unknown:
            raise validation("Parameters: [%s] do not exist in the template" % ", ".join(unknown))
        missing = [k for k, s in decl.items() if k not in given and (s or {}).get("Default") is None]
        if missing:
            raise validation("Parameters: [%s] must have values" % ", ".join(missing))
        for k, s in decl.items():
            self._check_param(k, s or {}, given.get(k, str((s or {}).get("Default", ""))))
        caps = list(p("Capabilities", []) or [])
        need, _ = capabilities_needed(template)
        for c in need:
            if c not in caps and not (c == "CAPABILITY_IAM" and "CAPABILITY_NAMED_IAM" in caps):
                raise CfnError("InsufficientCapabilitiesException", "Requires capabilities : [%s]" % c)
        self._check_aws_params(region, decl, given)
        now = self.now()
        st = self._new_stack(region, name, template, url, given=given)
        st.tags = [{"Key": t.get("Key"), "Value": t.get("Value", "")} for t in (p("Tags", []) or [])]
        st.capabilities = caps
        on_failure = p("OnFailure") or "ROLLBACK"
        st.disable_rollback = bool(p("DisableRollback")) or on_failure == "DO_NOTHING"
        st.on_failure = on_failure
        st.protection = bool(p("EnableTerminationProtection"))
        st.token = st.create_token = token
        st.timeout = p("TimeoutInMinutes")
        dep = dict((k, v) for k, v, _ in st.params).get("ReadySetDeploymentName", "")
        st.scenario = "fail" if dep.startswith(FAIL_PREFIX) else "stuck" if dep.startswith(STUCK_PREFIX) else None
        if name.startswith(HOSTILE_PREFIX):
            st.hostile = True
            self._hostile_start(st)
        if token:
            self.tokens[(region, name, token)] = st.id
        self._start_create(now, st)
        self.log("CreateStack %s (%s, scenario %s)" % (name, st.id, st.scenario))
        return _ok("CreateStack", _e("StackId", st.id))

    @staticmethod
    def _check_param(key, spec, val):
        cd = spec.get("ConstraintDescription")
        fail = lambda default: validation("Parameter %s failed to satisfy constraint: %s" % (key, cd) if cd  # noqa
                                          else default)
        if "AllowedValues" in spec and val not in [str(v) for v in spec["AllowedValues"]]:
            raise fail("Parameter '%s' must be one of AllowedValues" % key)
        if "AllowedPattern" in spec and not re.fullmatch(str(spec["AllowedPattern"]), val):
            raise fail("Parameter '%s' must match pattern %s" % (key, spec["AllowedPattern"]))
        if "MinLength" in spec and len(val) < int(spec["MinLength"]):
            raise fail("Parameter '%s' must contain at least %s characters" % (key, spec["MinLength"]))
        if "MaxLength" in spec and len(val) > int(spec["MaxLength"]):
            raise fail("Parameter '%s' must contain at most %s characters" % (key, spec["MaxLength"]))
        if str(spec.get("Type")) == "Number":
            try:
                float(val)
            except ValueError:
                raise validation("Parameter '%s' must be a number" % key) from None

    def _check_aws_params(self, region, decl, given):
        """AWS-specific parameter types name things that must exist (key pairs, zones)."""
        from moto.ec2.models import ec2_backends
        ec2 = ec2_backends[self.account][region]
        for key, spec in decl.items():
            ptype, val = str((spec or {}).get("Type", "")), given.get(key, str((spec or {}).get("Default", "")))
            if ptype.endswith("AWS::EC2::KeyPair::KeyName>") or ptype == "AWS::EC2::KeyPair::KeyName":
                names = {k.key_name for k in ec2.key_pairs.values()}
                bad = [v for v in (val.split(",") if ptype.startswith("List<") else [val]) if v not in names]
            elif "AWS::EC2::AvailabilityZone::Name" in ptype:
                zones = {z.name for z in ec2.describe_availability_zones()}
                bad = [v.strip() for v in val.split(",") if v.strip() not in zones]
            else:
                continue
            if bad:
                raise validation("Parameter validation failed: parameter value %s for parameter name %s does not "
                                 "exist. Rollback requested by user." % (bad[0], key))

    # DeleteStack
    def h_delete_stack(self, resp, region):
        p = resp._get_param
        st = self.find(region, p("StackName"))
        if st is None:
            return None
        retain = list(p("RetainResources", []) or [])
        token = p("ClientRequestToken")
        if st.root.protection:
            raise validation("Stack [%s] cannot be deleted while TerminationProtection is enabled" % st.name)
        if retain:
            if st.status != DF:
                raise validation("Invalid operation on stack [%s]. RetainResources can only be specified when the "
                                 "stack is in the DELETE_FAILED state" % st.name)
            here, down = self._retain_targets(st, retain)
            bad = [x for x in retain if x not in here and x not in down]
            if bad:
                raise validation("The specified resources to retain must be in a valid state. Resources to retain "
                                 "must be in the DELETE_FAILED state: [%s]" % ", ".join(bad))
        else:
            here = set()
        now = self.now()
        if st.status in (DC, DIP):
            return _ok("DeleteStack", None)
        if st.status == RIP:
            st.pending_delete = (here, token)
            return _ok("DeleteStack", None)
        if st.status == CIP:
            self._cancel(now, st)
        self._start_delete(now, st, "delete", here, token)
        self.log("DeleteStack %s%s" % (st.name, " retaining %s" % sorted(retain) if retain else ""))
        return _ok("DeleteStack", None)

    def _retain_targets(self, st, retain):
        """Logical ids to retain in st itself, and those passed on to its DELETE_FAILED nested stacks."""
        here, down = set(), set()
        for r in st.resources.values():
            if r.lid in retain and r.status == DF:
                here.add(r.lid)
        for r in st.resources.values():
            if r.status == DF and r.child is not None and r.child.status == DF:
                h, d = self._retain_targets(r.child, retain)
                r.child.retain_next = h
                down |= h | d
        return here, down

    # UpdateTerminationProtection (moto 5.2.1 has none; for moto's stacks it only records the flag)
    def h_update_termination_protection(self, resp, region):
        p = resp._get_param
        st = self.find(region, p("StackName"))
        enable = bool(p("EnableTerminationProtection"))
        if st is None:
            from moto.cloudformation.models import cloudformation_backends
            try:
                ms = cloudformation_backends[self.account][region].get_stack(p("StackName"))
            except Exception:  # noqa: BLE001
                raise validation("Stack with id %s does not exist" % p("StackName")) from None
            ms.enable_termination_protection = enable
            return _ok("UpdateTerminationProtection", _e("StackId", ms.stack_id))
        if st.parent is not None:
            raise validation("Termination protection cannot be updated on nested stacks. Update the root stack [%s] "
                             "instead." % st.root.name)
        st.protection = enable
        return _ok("UpdateTerminationProtection", _e("StackId", st.id))

    # DescribeStacks
    def h_describe_stacks(self, resp, region):
        name = resp._get_param("StackName")
        if name:
            st = self.find(region, name)
            if st is None:
                return None
            return _ok("DescribeStacks", _list("Stacks", [self._stack_xml(st)]))
        if resp._get_param("NextToken"):
            return None
        mine = [self._stack_xml(st) for st in reversed(self.stacks) if st.region == region and st.live()]
        return _merge(resp, "describe_stacks", "Stacks", mine)

    def _stack_xml(self, st):
        params = "".join("<member>%s%s%s</member>" % (_e("ParameterKey", k), _e("ParameterValue", v),
                                                      _e("ResolvedValue", rv)) for k, v, rv in st.params)
        outs = "".join("<member>%s%s%s</member>" % (_e("OutputKey", k), _e("OutputValue", v), _e("Description", d))
                       for k, v, d in st.outputs)
        tags = "".join("<member>%s%s</member>" % (_e("Key", t["Key"]), _e("Value", t["Value"])) for t in st.tags)
        return "".join([
            _e("StackId", st.id), _e("StackName", st.name), _e("Description", st.description),
            "<Parameters>%s</Parameters>" % params, _e("CreationTime", iso(st.created)),
            _e("DeletionTime", iso(st.deleted) if st.deleted else None),
            _e("LastUpdatedTime", iso(st.updated) if st.updated else None),
            "<RollbackConfiguration/>", _e("StackStatus", st.status), _e("StackStatusReason", st.reason),
            _e("DisableRollback", st.disable_rollback), "<NotificationARNs/>",
            _e("TimeoutInMinutes", st.root.timeout),
            _list("Capabilities", [escape(c) for c in st.capabilities]) if st.capabilities else "",
            "<Outputs>%s</Outputs>" % outs if outs else "",
            "<Tags>%s</Tags>" % tags if tags else "<Tags/>", _e("EnableTerminationProtection", st.root.protection),
            _e("ParentId", st.parent.id if st.parent else None), _e("RootId", st.root.id if st.parent else None),
            "<DriftInformation><StackDriftStatus>NOT_CHECKED</StackDriftStatus></DriftInformation>"])

    # ListStacks
    def h_list_stacks(self, resp, region):
        if resp._get_param("NextToken"):
            return None
        wanted = set(resp._get_param("StackStatusFilter", []) or [])
        mine = []
        for st in reversed(self.stacks):
            if st.region != region or (wanted and st.status not in wanted):
                continue
            mine.append("".join([
                _e("StackId", st.id), _e("StackName", st.name), _e("TemplateDescription", st.description),
                _e("CreationTime", iso(st.created)), _e("LastUpdatedTime", iso(st.updated) if st.updated else None),
                _e("DeletionTime", iso(st.deleted) if st.deleted else None), _e("StackStatus", st.status),
                _e("StackStatusReason", st.reason), _e("ParentId", st.parent.id if st.parent else None),
                _e("RootId", st.root.id if st.parent else None),
                "<DriftInformation><StackDriftStatus>NOT_CHECKED</StackDriftStatus></DriftInformation>"]))
        return _merge(resp, "list_stacks", "StackSummaries", mine)

    # DescribeStackEvents
    def h_describe_stack_events(self, resp, region):
        st = self.find(region, resp._get_param("StackName"))
        if st is None:
            return None
        evs = st.events[::-1]
        try:
            start = int(resp._get_param("NextToken") or 0)
        except ValueError:
            raise validation("Invalid NextToken") from None
        page = evs[start:start + 100]
        items = ["".join([_e("StackId", e["StackId"]), _e("EventId", e["EventId"]), _e("StackName", e["StackName"]),
                          _e("LogicalResourceId", e["LogicalResourceId"]),
                          _e("PhysicalResourceId", e["PhysicalResourceId"]), _e("ResourceType", e["ResourceType"]),
                          _e("Timestamp", iso(e["Timestamp"])), _e("ResourceStatus", e["ResourceStatus"]),
                          _e("ResourceStatusReason", e["ResourceStatusReason"]),
                          _e("ClientRequestToken", e["ClientRequestToken"])]) for e in page]
        nxt = str(start + 100) if start + 100 < len(evs) else None
        return _ok("DescribeStackEvents", _list("StackEvents", items) + _e("NextToken", nxt))

    # DescribeStackResources / DescribeStackResource / ListStackResources
    def _resources(self, st):
        return [r for r in sorted(st.resources.values(), key=lambda r: r.order) if r.status is not None]

    def _res_fields(self, st, r, ts="Timestamp"):
        return "".join([_e("StackName", st.name), _e("StackId", st.id), _e("LogicalResourceId", r.lid),
                        _e("PhysicalResourceId", r.physical), _e("ResourceType", r.type),
                        _e(ts, iso(r.t)), _e("ResourceStatus", r.status),
                        _e("ResourceStatusReason", r.reason),
                        "<DriftInformation><StackResourceDriftStatus>NOT_CHECKED</StackResourceDriftStatus>"
                        "</DriftInformation>"])

    def h_describe_stack_resources(self, resp, region):
        p = resp._get_param
        name, phys, lid = p("StackName"), p("PhysicalResourceId"), p("LogicalResourceId")
        if name and phys:
            return None
        if name:
            st = self.find(region, name)
        else:
            st = next((s for s in reversed(self.stacks) if s.region == region and
                       any(r.physical == phys for r in s.resources.values())), None)
            if st is None:
                st = next((s for s in self.stacks if s.id == phys and s.region == region), None)
        if st is None:
            return None
        items = [self._res_fields(st, r) for r in self._resources(st) if not lid or r.lid == lid][:100]
        return _ok("DescribeStackResources", _list("StackResources", items))

    def h_describe_stack_resource(self, resp, region):
        p = resp._get_param
        st = self.find(region, p("StackName"))
        if st is None:
            return None
        r = st.resources.get(p("LogicalResourceId"))
        if r is None or r.status is None:
            raise validation("Resource %s does not exist for stack %s" % (p("LogicalResourceId"), st.name))
        return _ok("DescribeStackResource", "<StackResourceDetail>%s<Metadata>{}</Metadata></StackResourceDetail>"
                   % self._res_fields(st, r, "LastUpdatedTimestamp"))

    def h_list_stack_resources(self, resp, region):
        st = self.find(region, resp._get_param("StackName"))
        if st is None:
            return None
        items = ["".join([_e("LogicalResourceId", r.lid), _e("PhysicalResourceId", r.physical),
                          _e("ResourceType", r.type), _e("LastUpdatedTimestamp", iso(r.t)),
                          _e("ResourceStatus", r.status), _e("ResourceStatusReason", r.reason),
                          "<DriftInformation><StackResourceDriftStatus>NOT_CHECKED</StackResourceDriftStatus>"
                          "</DriftInformation>"]) for r in self._resources(st)]
        return _ok("ListStackResources", _list("StackResourceSummaries", items))

    # GetTemplateSummary
    def h_get_template_summary(self, resp, region):
        p = resp._get_param
        name, url, body = p("StackName"), p("TemplateURL"), p("TemplateBody")
        if name:
            st = self.find(region, name)
            if st is None:
                return None
            template = st.template
        else:
            file_match = bool(url and SUPER_FILE.search(urlsplit(url).path))
            try:
                template = parse_template(fetch_template(url, self.account) if url else body or "")
            except CfnError:
                if file_match:
                    raise
                return None
            if not file_match and super_engine(template) is None:
                return None
        return _ok("GetTemplateSummary", template_summary_xml(template))


_NOVALUE = object()


def template_summary_xml(template):
    items = []
    for key, spec in (template.get("Parameters") or {}).items():
        spec = spec or {}
        allowed = spec.get("AllowedValues")
        cons = "<ParameterConstraints>%s</ParameterConstraints>" % (
            _list("AllowedValues", [escape(str(v)) for v in allowed]) if allowed else "")
        items.append("".join([
            _e("ParameterKey", key), _e("DefaultValue", None if spec.get("Default") is None else str(spec["Default"])),
            _e("ParameterType", str(spec.get("Type", "String"))),
            _e("NoEcho", str(spec.get("NoEcho", "false")).lower() == "true"),
            _e("Description", spec.get("Description")), cons]))
    caps, types = capabilities_needed(template)
    rtypes = []
    for s in (template.get("Resources") or {}).values():
        if isinstance(s, dict) and s.get("Type") not in rtypes:
            rtypes.append(s.get("Type"))
    meta = template.get("Metadata")
    return "".join([
        _list("Parameters", items), _e("Description", template.get("Description")),
        _list("Capabilities", caps) if caps else "<Capabilities/>",
        _e("CapabilitiesReason", "The following resource(s) require capabilities: [%s]" % ", ".join(types)
           if caps else None),
        _list("ResourceTypes", [escape(str(t)) for t in rtypes]),
        _e("Version", str(template.get("AWSTemplateFormatVersion", "2010-09-09"))),
        _e("Metadata", json.dumps(meta, separators=(",", ":"), default=str) if meta is not None else None),
        "<DeclaredTransforms/>"])


# --- XML ------------------------------------------------------------------------------------------

# Characters XML 1.0 cannot carry raw (C0 controls but tab and newline; a raw CR would be read as
# a newline): written as character references, as S3 does for object keys.  Only hostile values
# have them.
_XML_REFS = re.compile("[\x00-\x08\x0b-\x1f]")


def _e(tag, val):
    if val is None:
        return ""
    if isinstance(val, bool):
        val = "true" if val else "false"
    text = escape(str(val))
    if _XML_REFS.search(text):
        text = _XML_REFS.sub(lambda m: "&#x%X;" % ord(m.group(0)), text)
    return "<%s>%s</%s>" % (tag, text, tag)


def _list(tag, members):
    return "<%s>%s</%s>" % (tag, "".join("<member>%s</member>" % m for m in members), tag)


_RID = "00000000-0000-0000-0000-000000000000"   # moto puts its own request id in (and the header)


def _ok(action, result):
    head = '<?xml version="1.0" encoding="UTF-8"?>\n<%sResponse xmlns="%s">' % (action, NS)
    res = "<%sResult>%s</%sResult>" % (action, result, action) if result is not None else ""
    body = head + res + "<ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></%sResponse>" % (_RID, action)
    return body, {"status": 200, "Content-Type": "text/xml"}


def _error(e):
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="%s"><Error><Type>%s</Type><Code>%s</Code>'
            '<Message>%s</Message></Error><RequestId>%s</RequestId></ErrorResponse>'
            % (NS, e.kind, escape(e.code), escape(e.message), _RID))
    return body, {"status": e.status, "Content-Type": "text/xml"}


def _merge(resp, method, tag, members):
    """moto's answer to the same request, with our members first in its <tag> list."""
    from moto.core.responses import ActionResult
    orig = getattr(_ORIGINALS.get(method), "__func__", _ORIGINALS.get(method))
    out = orig(resp)
    if isinstance(out, ActionResult):
        status, headers, body = resp.serialized(out)
    else:
        status, headers, body = resp._transform_response(dict(resp.response_headers), out)
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    if status != 200 or not members:
        return body, dict(headers, status=status)
    ours = "".join("<member>%s</member>" % m for m in members)
    if re.search(r"<%s\s*/>" % tag, body):
        body = re.sub(r"<%s\s*/>" % tag, lambda _: "<%s>%s</%s>" % (tag, ours, tag), body, count=1)
    elif "<%s>" % tag in body:
        body = body.replace("<%s>" % tag, "<%s>%s" % (tag, ours), 1)
    else:
        result = re.search(r"<(\w+Result)(\s*/)?>", body)
        if result and result.group(2):
            body = body.replace(result.group(0), "<%s><%s>%s</%s></%s>" % (result.group(1), tag, ours, tag,
                                                                            result.group(1)), 1)
        elif result:
            body = body.replace(result.group(0), result.group(0) + "<%s>%s</%s>" % (tag, ours, tag), 1)
    return body, dict(headers, status=status)


# --- moto wiring ----------------------------------------------------------------------------------

ACTIONS = ("create_stack", "delete_stack", "describe_stacks", "list_stacks", "describe_stack_events",
           "describe_stack_resources", "describe_stack_resource", "list_stack_resources", "get_template_summary",
           "update_termination_protection")
_ORIGINALS = {}


def _current_sim():
    from flask import has_request_context, request
    if has_request_context():
        return request.environ.get(ENV_CFN)
    return None


def install():
    """Idempotent: wrap moto's CloudFormationResponse actions so that CfnSim sees them first.

    moto runs these methods from BaseResponse.call_action after its authentication (the
    SigV4 check) succeeded; the wrapper only decides who answers."""
    from moto.cloudformation.responses import CloudFormationResponse
    for meth in ACTIONS:
        cur = CloudFormationResponse.__dict__.get(meth)
        if getattr(cur, "_relcon_cfn", False):
            continue
        _ORIGINALS[meth] = cur

        def wrapper(self, _meth=meth):
            sim = _current_sim()
            if sim is not None:
                out = sim.dispatch(_meth, self)
                if out is not None:
                    return out
            orig = _ORIGINALS.get(_meth)
            if orig is None:
                return _error(CfnError("InvalidAction", "Could not find operation %s for version 2010-05-15"
                                       % _meth))
            return orig(self)
        wrapper._relcon_cfn = True
        wrapper.__name__ = meth
        setattr(CloudFormationResponse, meth, wrapper)
