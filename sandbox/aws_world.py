"""The sandbox's AWS world, made through the AWS APIs (boto3, signed, against aws_sim.AwsSim).

World(sim) holds no state of its own besides boto3 clients; everything it makes lives in moto:
  prepare()                 moto reset; buckets INTERNAL_BUCKET and PUBLIC_BUCKET (us-east-2);
                            EC2 key pairs alice and bob (us-east-2)
  build_amis(b)             what "Build AMIs" does: one AMI per destination region (RegisterImage,
                            then CreateTags, then ModifyImageAttribute launchPermission = ami_users
                            from locals.pkr.hcl) and the templates under
                            <COMMIT>/readyset/templates/ in the internal bucket
  deploy(b, "alpha")        what alpha "Deploy" does: CopyImage of the us-east-2 AMI into every
                            destination region (tagged, launch permission = ami_users) and the
                            templates, naming the copies, under alpha/<COMMIT>/readyset/templates/
                            in the public bucket (public-read)
  deploy(b, "release", n)   the same for a named release: <n>/readyset/templates/
`b` is a BuildInfo (number, commit, branch).  The seeded history is whatever the scenario's
effects produce (pipeline_effects.py); one commit, build DRIFT_BUILD's, gets launch permissions
that differ from locals.pkr.hcl (DRIFT, below).  AMI ids are moto's random ids.
"""
import os
import re
from collections import namedtuple

HERE = os.path.dirname(os.path.abspath(__file__))
LOCALS_PATH = os.path.join(HERE, "locals.pkr.hcl")
INTERNAL_BUCKET = "readysettech-cfn-internal-us-east-2"
PUBLIC_BUCKET = "readysettech-cfn-public-us-east-2"
BUCKET_REGION = "us-east-2"
SOURCE_REGION = "us-east-2"
KEY_PAIRS = ("alice", "bob")
KEY_REGION = "us-east-2"
TEMPLATES = ("readyset-mysql-super-template.yaml", "readyset-postgres-super-template.yaml",
             "readyset-bastion-template.yaml", "readyset-rds-template.yaml", "readyset-template.yaml",
             "readyset-authority-consul-template.yaml")

# The one commit whose AMIs do not match locals.pkr.hcl: build 4155 (main; AMIs built, smoke
# passed, its release step waiting), so promoting it shows all three kinds of difference.
DRIFT_BUILD = 4155
DRIFT_EXTRA_ACCOUNT = "999988887777"
DRIFT = {  # region -> what differs from ami_users
    "us-east-1": "missing",   # the second customer account is not granted
    "us-east-2": "extra",     # DRIFT_EXTRA_ACCOUNT is granted as well
    "us-west-2": "public",    # group=all: anyone can launch it
}

BuildInfo = namedtuple("BuildInfo", "number commit branch")
_TAG_VALUE_OK = re.compile(r"[\w .:/=+\-@]{0,256}")  # characters AWS allows in tag values


# --- locals.pkr.hcl -----------------------------------------------------------------------------

def _strip_comments(text):
    """HCL without #, // and /* */ comments (string literals kept intact)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif c == "#" or text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _expressions(body):
    """name -> expression text for each `name = expr` (expr may span lines inside brackets)."""
    exprs, pos = {}, 0
    for m in re.finditer(r"(?m)^[ \t]*([A-Za-z_][\w-]*)[ \t]*=(?!=)", body):
        if m.start() < pos:
            continue
        i, depth = m.end(), 0
        while i < len(body):
            c = body[i]
            if c == '"':
                i += 1
                while i < len(body) and body[i] != '"':
                    i += 2 if body[i] == "\\" else 1
            elif c in "([{":
                depth += 1
            elif c in ")]}":
                if depth == 0:
                    break
                depth -= 1
            elif c == "\n" and depth == 0:
                break
            i += 1
        exprs[m.group(1)] = body[m.end():i].strip()
        pos = i
    return exprs


def parse_locals(text):
    """The lists relcon and the sandbox care about, from a locals.pkr.hcl text.

    Returns {"internal_account_ids": [...], "customer_account_ids": [...], "ami_users": [...],
    "destination_regions": [...]}; supports string literals, lists of strings / local.x,
    and concat(...) of those, which is all the real file uses for them.
    """
    src = _strip_comments(text)
    exprs = {}
    for m in re.finditer(r"\blocals\s*\{", src):
        depth, i = 1, m.end()
        while i < len(src) and depth:
            depth += {"{": 1, "}": -1}.get(src[i], 0)
            i += 1
        exprs.update(_expressions(src[m.end():i - 1]))

    def value(e, seen=()):
        e = e.strip()
        if re.fullmatch(r'"[^"\\]*"', e):
            return e[1:-1]
        m = re.fullmatch(r"local\.([A-Za-z_][\w-]*)", e)
        if m:
            name = m.group(1)
            if name in seen or name not in exprs:
                raise ValueError("unresolvable local.%s" % name)
            return value(exprs[name], seen + (name,))
        m = re.fullmatch(r"\[(.*)\]", e, re.S)
        if m:
            items = [x for x in (s.strip() for s in m.group(1).split(",")) if x]
            return [value(x, seen) for x in items]
        m = re.fullmatch(r"concat\((.*)\)", e, re.S)
        if m:
            out = []
            for x in (s.strip() for s in m.group(1).split(",")):
                if x:
                    v = value(x, seen)
                    out += v if isinstance(v, list) else [v]
            return out
        raise ValueError("unsupported expression %r" % e)

    res = {}
    for k in ("internal_account_ids", "customer_account_ids", "ami_users", "destination_regions"):
        v = value(exprs[k]) if k in exprs else None
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise ValueError("locals: %s must be a list of strings" % k)
        res[k] = v
    for k in ("internal_account_ids", "customer_account_ids", "ami_users"):
        for a in res[k]:
            if not re.fullmatch(r"\d{12}", a):
                raise ValueError("locals: %s: %r is not a 12-digit account id" % (k, a))
    return res


def load_locals(path=LOCALS_PATH):
    with open(path, encoding="utf-8") as f:
        return parse_locals(f.read())


# --- templates ------------------------------------------------------------------------------------

def template_url(bucket, key):
    return "https://%s.s3.%s.amazonaws.com/%s" % (bucket, BUCKET_REGION, key)


def _ami_mapping(amis, key="ReadySetServerAMI"):
    lines = ["Mappings:", "  AMIRegionMap:"]
    for region in sorted(amis):
        lines += ["    %s:" % region, "      %s: %s" % (key, amis[region])]
    return "\n".join(lines) + "\n"


def _header(name, description, info):
    return ('AWSTemplateFormatVersion: "2010-09-09"\n'
            "Description: >-\n  %s\n  (%s; build %d, commit %s)\n"
            "Metadata:\n  ReadySet:\n    Template: %s\n    Commit: \"%s\"\n    Build: %d\n"
            "    Stage: %s\n    Version: \"%s\"\n"
            % (description, info["version"], info["build"], info["commit"], name, info["commit"],
               info["build"], info["stage"], info["version"]))


SUPER = """\
  AWS::CloudFormation::Interface:
    ParameterGroups:
      - Label: {default: Access}
        Parameters: [KeyPairName, AccessCIDR]
      - Label: {default: Network}
        Parameters: [AvailabilityZones]
      - Label: {default: Database}
        Parameters: [DatabaseUsername, DatabaseName, SSMParameterKmsKeyArn, SSMPathRDSDatabasePassword]
      - Label: {default: ReadySet}
        Parameters: [ReadySetDeploymentName, ReadySetS3BucketName]
Parameters:
  KeyPairName:
    Type: AWS::EC2::KeyPair::KeyName
    Description: EC2 key pair for SSH to the bastion and, through it, the ReadySet hosts.
  AvailabilityZones:
    Type: List<AWS::EC2::AvailabilityZone::Name>
    Description: Three Availability Zones for the subnets, e.g. us-east-2a,us-east-2b,us-east-2c.
  AccessCIDR:
    Type: String
    AllowedPattern: '^(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})/(\\d{1,2})$'
    ConstraintDescription: must be a CIDR block such as 203.0.113.7/32
    Description: Addresses allowed to reach the bastion over SSH.
  ReadySetS3BucketName:
    Type: String
    Default: @BUCKET@
    Description: Bucket holding the nested templates (in us-east-2).
  DatabaseUsername:
    Type: String
    Default: readyset
    MinLength: 1
    MaxLength: 16
    AllowedPattern: '^[a-zA-Z][a-zA-Z0-9_]*$'
  DatabaseName:
    Type: String
    Default: testdb
  ReadySetDeploymentName:
    Type: String
    Default: readyset-super
    AllowedPattern: '^[a-z][a-z0-9-]*$'
  SSMParameterKmsKeyArn:
    Type: String
    Description: ARN of the KMS key that encrypts the database password parameter.
  SSMPathRDSDatabasePassword:
    Type: String
    Default: /readyset/super/rds-password
    Description: SSM SecureString parameter holding the database password.
@MAPPINGS@Resources:
  BastionStack:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: !Sub "https://${ReadySetS3BucketName}.s3.us-east-2.amazonaws.com/@PREFIX@readyset-bastion-template.yaml"
      Parameters:
        KeyPairName: !Ref KeyPairName
        AccessCIDR: !Ref AccessCIDR
        AvailabilityZones: !Join [",", !Ref AvailabilityZones]
  ReadySetRDS@ENGINE_ID@Stack:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: !Sub "https://${ReadySetS3BucketName}.s3.us-east-2.amazonaws.com/@PREFIX@readyset-rds-template.yaml"
      Parameters:
        Engine: @ENGINE@
        VPCID: !GetAtt BastionStack.Outputs.VPCID
        PrivateSubnetIDs: !GetAtt BastionStack.Outputs.PrivateSubnetIDs
        DatabaseUsername: !Ref DatabaseUsername
        DatabaseName: !Ref DatabaseName
        SSMPathRDSDatabasePassword: !Ref SSMPathRDSDatabasePassword
  ReadySet@ENGINE_ID@Stack:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: !Sub "https://${ReadySetS3BucketName}.s3.us-east-2.amazonaws.com/@PREFIX@readyset-template.yaml"
      Parameters:
        ReadySetAMI: !FindInMap [AMIRegionMap, !Ref "AWS::Region", ReadySetServerAMI]
        DatabaseEngine: @ENGINE@
        KeyPairName: !Ref KeyPairName
        VPCID: !GetAtt BastionStack.Outputs.VPCID
        PrivateSubnetIDs: !GetAtt BastionStack.Outputs.PrivateSubnetIDs
        BastionSecurityGroupID: !GetAtt BastionStack.Outputs.BastionSecurityGroupID
        DatabaseHostname: !GetAtt ReadySetRDS@ENGINE_ID@Stack.Outputs.DatabaseHostname
        DatabaseUsername: !Ref DatabaseUsername
        DatabaseName: !Ref DatabaseName
        SSMPathRDSDatabasePassword: !Ref SSMPathRDSDatabasePassword
        SSMParameterKmsKeyArn: !Ref SSMParameterKmsKeyArn
        ReadySetDeploymentName: !Ref ReadySetDeploymentName
Outputs:
  BastionPublicIP:
    Description: SSH to ec2-user@ this address, then on to the ReadySet hosts.
    Value: !GetAtt BastionStack.Outputs.EIP1
  DatabaseHostname:
    Value: !GetAtt ReadySetRDS@ENGINE_ID@Stack.Outputs.DatabaseHostname
  ReadySetAdapterNLBDNSName:
    Description: Point the application at this address instead of the database.
    Value: !GetAtt ReadySet@ENGINE_ID@Stack.Outputs.ReadySetAdapterNLBDNSName
"""

BASTION = """\
Parameters:
  KeyPairName:
    Type: AWS::EC2::KeyPair::KeyName
  AccessCIDR:
    Type: String
  AvailabilityZones:
    Type: CommaDelimitedList
  BastionInstanceType:
    Type: String
    Default: t3.micro
  LatestAmazonLinuxAMI:
    Type: AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>
    Default: /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64
Resources:
  VPC:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
      EnableDnsHostnames: true
      EnableDnsSupport: true
      Tags: [{Key: Name, Value: !Sub "${AWS::StackName}-vpc"}]
  InternetGateway:
    Type: AWS::EC2::InternetGateway
  GatewayAttachment:
    Type: AWS::EC2::VPCGatewayAttachment
    Properties: {VpcId: !Ref VPC, InternetGatewayId: !Ref InternetGateway}
  PublicSubnet1:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref VPC
      CidrBlock: 10.0.0.0/24
      AvailabilityZone: !Select [0, !Ref AvailabilityZones]
      MapPublicIpOnLaunch: true
  PrivateSubnet1:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref VPC, CidrBlock: 10.0.10.0/24, AvailabilityZone: !Select [0, !Ref AvailabilityZones]}
  PrivateSubnet2:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref VPC, CidrBlock: 10.0.11.0/24, AvailabilityZone: !Select [1, !Ref AvailabilityZones]}
  PrivateSubnet3:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref VPC, CidrBlock: 10.0.12.0/24, AvailabilityZone: !Select [2, !Ref AvailabilityZones]}
  BastionSecurityGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: SSH from AccessCIDR only
      VpcId: !Ref VPC
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !Ref AccessCIDR}
  BastionHost:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: !Ref LatestAmazonLinuxAMI
      InstanceType: !Ref BastionInstanceType
      KeyName: !Ref KeyPairName
      SubnetId: !Ref PublicSubnet1
      SecurityGroupIds: [!Ref BastionSecurityGroup]
      Tags: [{Key: Name, Value: !Sub "${AWS::StackName}-bastion"}]
  EIP:
    Type: AWS::EC2::EIP
    Properties: {Domain: vpc, InstanceId: !Ref BastionHost}
Outputs:
  EIP1:
    Value: !Ref EIP
  VPCID:
    Value: !Ref VPC
  PrivateSubnetIDs:
    Value: !Join [",", [!Ref PrivateSubnet1, !Ref PrivateSubnet2, !Ref PrivateSubnet3]]
  BastionSecurityGroupID:
    Value: !Ref BastionSecurityGroup
"""

RDS = """\
Parameters:
  Engine:
    Type: String
    AllowedValues: [mysql, postgresql]
  VPCID:
    Type: AWS::EC2::VPC::Id
  PrivateSubnetIDs:
    Type: List<AWS::EC2::Subnet::Id>
  DatabaseUsername:
    Type: String
  DatabaseName:
    Type: String
  SSMPathRDSDatabasePassword:
    Type: String
Conditions:
  IsMySQL: !Equals [!Ref Engine, mysql]
Resources:
  DBSecurityGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: Database port from inside the VPC
      VpcId: !Ref VPCID
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: !If [IsMySQL, 3306, 5432], ToPort: !If [IsMySQL, 3306, 5432],
           CidrIp: 10.0.0.0/16}
  DBSubnetGroup:
    Type: AWS::RDS::DBSubnetGroup
    Properties:
      DBSubnetGroupDescription: ReadySet test database subnets
      SubnetIds: !Ref PrivateSubnetIDs
  DBParameterGroup:
    Type: AWS::RDS::DBParameterGroup
    Properties:
      Description: Replication settings ReadySet needs
      Family: !If [IsMySQL, mysql8.0, postgres15]
      Parameters: !If
        - IsMySQL
        - {binlog_format: ROW, binlog_row_image: FULL}
        - {rds.logical_replication: "1"}
  Database:
    Type: AWS::RDS::DBInstance
    DeletionPolicy: Delete
    Properties:
      Engine: !If [IsMySQL, mysql, postgres]
      DBInstanceClass: db.t3.medium
      AllocatedStorage: "20"
      DBName: !Ref DatabaseName
      MasterUsername: !Ref DatabaseUsername
      MasterUserPassword: !Sub "{{resolve:ssm-secure:${SSMPathRDSDatabasePassword}}}"
      DBSubnetGroupName: !Ref DBSubnetGroup
      DBParameterGroupName: !Ref DBParameterGroup
      VPCSecurityGroups: [!Ref DBSecurityGroup]
      BackupRetentionPeriod: 1
Outputs:
  DatabaseHostname:
    Value: !GetAtt Database.Endpoint.Address
  DatabasePort:
    Value: !GetAtt Database.Endpoint.Port
"""

READYSET = """\
Parameters:
  ReadySetAMI:
    Type: String
    Description: An AMI id; empty means this build's AMI for the stack's region (Mappings).
    Default: ""
  DatabaseEngine:
    Type: String
    AllowedValues: [mysql, postgresql]
  KeyPairName:
    Type: AWS::EC2::KeyPair::KeyName
  VPCID:
    Type: AWS::EC2::VPC::Id
  PrivateSubnetIDs:
    Type: List<AWS::EC2::Subnet::Id>
  BastionSecurityGroupID:
    Type: AWS::EC2::SecurityGroup::Id
  DatabaseHostname:
    Type: String
  DatabaseUsername:
    Type: String
  DatabaseName:
    Type: String
  SSMPathRDSDatabasePassword:
    Type: String
  SSMParameterKmsKeyArn:
    Type: String
  ReadySetDeploymentName:
    Type: String
  ReadySetServerInstanceType:
    Type: String
    Default: m5.xlarge
@MAPPINGS@Conditions:
  IsMySQL: !Equals [!Ref DatabaseEngine, mysql]
  UseMappedAMI: !Equals [!Ref ReadySetAMI, ""]
Resources:
  ReadySetInstanceRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - {Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: sts:AssumeRole}
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore
      Policies:
        - PolicyName: read-database-password
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: ssm:GetParameter
                Resource: !Sub "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${SSMPathRDSDatabasePassword}"
              - Effect: Allow
                Action: kms:Decrypt
                Resource: !Ref SSMParameterKmsKeyArn
  ReadySetInstanceProfile:
    Type: AWS::IAM::InstanceProfile
    Properties:
      Roles: [!Ref ReadySetInstanceRole]
  ReadySetSecurityGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: ReadySet adapter and monitor
      VpcId: !Ref VPCID
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, SourceSecurityGroupId: !Ref BastionSecurityGroupID}
        - {IpProtocol: tcp, FromPort: 3306, ToPort: 3306, CidrIp: 10.0.0.0/16}
        - {IpProtocol: tcp, FromPort: 5432, ToPort: 5432, CidrIp: 10.0.0.0/16}
  ReadySetServerInstance:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: !If [UseMappedAMI, !FindInMap [AMIRegionMap, !Ref "AWS::Region", ReadySetServerAMI], !Ref ReadySetAMI]
      InstanceType: !Ref ReadySetServerInstanceType
      KeyName: !Ref KeyPairName
      SubnetId: !Select [0, !Ref PrivateSubnetIDs]
      IamInstanceProfile: !Ref ReadySetInstanceProfile
      SecurityGroupIds: [!Ref ReadySetSecurityGroup]
      UserData:
        Fn::Base64: !Sub |
          #!/bin/bash
          /usr/local/bin/readyset-configure \\
            --deployment ${ReadySetDeploymentName} --engine ${DatabaseEngine} \\
            --upstream-host ${DatabaseHostname} --username ${DatabaseUsername} \\
            --database ${DatabaseName} --password-parameter ${SSMPathRDSDatabasePassword}
      Tags: [{Key: Name, Value: !Sub "${ReadySetDeploymentName}-server"}]
  ReadySetMonitorInstance:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: !If [UseMappedAMI, !FindInMap [AMIRegionMap, !Ref "AWS::Region", ReadySetServerAMI], !Ref ReadySetAMI]
      InstanceType: t3.medium
      KeyName: !Ref KeyPairName
      SubnetId: !Select [1, !Ref PrivateSubnetIDs]
      SecurityGroupIds: [!Ref ReadySetSecurityGroup]
      Tags: [{Key: Name, Value: !Sub "${ReadySetDeploymentName}-monitor"}]
  ReadySetAdapterNLB:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Type: network
      Scheme: internal
      Subnets: !Ref PrivateSubnetIDs
  ReadySetAdapterTargetGroup:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      Protocol: TCP
      Port: !If [IsMySQL, 3306, 5432]
      VpcId: !Ref VPCID
      TargetType: instance
      Targets: [{Id: !Ref ReadySetServerInstance}]
  ReadySetAdapterListener:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref ReadySetAdapterNLB
      Protocol: TCP
      Port: !If [IsMySQL, 3306, 5432]
      DefaultActions: [{Type: forward, TargetGroupArn: !Ref ReadySetAdapterTargetGroup}]
Outputs:
  ReadySetAdapterNLBDNSName:
    Value: !GetAtt ReadySetAdapterNLB.DNSName
  ReadySetMonitorPrivateIP:
    Value: !GetAtt ReadySetMonitorInstance.PrivateIp
"""

CONSUL = """\
Parameters:
  KeyPairName:
    Type: AWS::EC2::KeyPair::KeyName
  VPCID:
    Type: AWS::EC2::VPC::Id
  PrivateSubnetIDs:
    Type: List<AWS::EC2::Subnet::Id>
  ConsulServerCount:
    Type: Number
    AllowedValues: [1, 3, 5]
    Default: 3
@MAPPINGS@Resources:
  ConsulSecurityGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: Consul servers (ReadySet authority)
      VpcId: !Ref VPCID
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 8300, ToPort: 8302, CidrIp: 10.0.0.0/16}
        - {IpProtocol: tcp, FromPort: 8500, ToPort: 8500, CidrIp: 10.0.0.0/16}
  ConsulLaunchTemplate:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        ImageId: !FindInMap [AMIRegionMap, !Ref "AWS::Region", ReadySetServerAMI]
        InstanceType: t3.small
        KeyName: !Ref KeyPairName
        SecurityGroupIds: [!Ref ConsulSecurityGroup]
        UserData:
          Fn::Base64: !Sub |
            #!/bin/bash
            /usr/local/bin/consul-configure --server --bootstrap-expect ${ConsulServerCount}
  ConsulServers:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      MinSize: !Ref ConsulServerCount
      MaxSize: !Ref ConsulServerCount
      VPCZoneIdentifier: !Ref PrivateSubnetIDs
      LaunchTemplate:
        LaunchTemplateId: !Ref ConsulLaunchTemplate
        Version: !GetAtt ConsulLaunchTemplate.LatestVersionNumber
Outputs:
  ConsulServerGroup:
    Value: !Ref ConsulServers
"""


def render_templates(amis, bucket, prefix, info):
    """{file name: YAML text} for one set of templates; amis is {region: ami id}."""
    mappings = _ami_mapping(amis)
    out = {}
    for engine, eid, name, what in (("mysql", "MySQL", TEMPLATES[0], "Amazon RDS for MySQL"),
                                    ("postgresql", "PostgreSQL", TEMPLATES[1], "Amazon RDS for PostgreSQL")):
        body = (SUPER.replace("@MAPPINGS@", mappings).replace("@PREFIX@", prefix).replace("@BUCKET@", bucket)
                .replace("@ENGINE_ID@", eid).replace("@ENGINE@", engine))
        out[name] = _header(name, "ReadySet super-stack for testing: a VPC with a bastion host, %s "
                            "and a ReadySet deployment in front of it." % what, info) + body
    out[TEMPLATES[2]] = _header(TEMPLATES[2], "VPC, subnets and an SSH bastion host with an Elastic IP.",
                                info) + BASTION
    out[TEMPLATES[3]] = _header(TEMPLATES[3], "The upstream database (Amazon RDS, MySQL or PostgreSQL) "
                                "with replication enabled.", info) + RDS
    out[TEMPLATES[4]] = _header(TEMPLATES[4], "ReadySet server and monitor instances behind an internal "
                                "network load balancer.", info) + \
        READYSET.replace("@MAPPINGS@", mappings)
    out[TEMPLATES[5]] = _header(TEMPLATES[5], "Consul servers for the ReadySet authority.", info) + \
        CONSUL.replace("@MAPPINGS@", mappings)
    return out


# --- scale (--extra-amis) ---------------------------------------------------------------------------

def _fast_ami_tags():
    """moto finds an AMI's tags by scanning every tag of the region (TagBackend.describe_tags with
    a resource-id filter) for each image a DescribeImages looks at: quadratic, 3 s a call with
    1,700 images in a region.  With --extra-amis only, an AMI's tags come straight from the
    backend's tag dict instead: the same entries, in the same order (moto's filter is an exact,
    anchored match on the id), so DescribeImages answers the same, in milliseconds."""
    from moto.ec2.models.amis import Ami
    from moto.ec2.utils import EC2_PREFIX_TO_RESOURCE, get_prefix

    if getattr(Ami, "_relcon_fast_tags", False):
        return

    def get_tags(self):
        if not self.id:
            return []
        tags = self.ec2_backend.tags.get(self.id) or {}  # .get: the defaultdict must not grow
        kind = EC2_PREFIX_TO_RESOURCE.get(get_prefix(self.id), "")
        return [{"resource_id": self.id, "key": k, "value": v, "resource_type": kind} for k, v in tags.items()]

    Ami.get_tags, Ami._relcon_fast_tags = get_tags, True


# --- the world --------------------------------------------------------------------------------------

class World:
    def __init__(self, sim, locals_path=LOCALS_PATH, extra_amis=0, extra_builds=0):
        self.sim = sim
        self.locals = load_locals(locals_path)
        self.regions = list(self.locals["destination_regions"])
        self._clients = {}
        self.extra_amis, self.extra_builds = extra_amis, extra_builds  # sandbox.py --extra-*

    def client(self, service, region=BUCKET_REGION):
        c = self._clients.get((service, region))
        if c is None:
            c = self._clients[(service, region)] = self.sim.client(service, region)
        return c

    def prepare(self):
        """Empty moto, then the buckets and key pairs that exist before any build."""
        self.sim.reset()
        s3 = self.client("s3", BUCKET_REGION)
        for b in (INTERNAL_BUCKET, PUBLIC_BUCKET):
            s3.create_bucket(Bucket=b, CreateBucketConfiguration={"LocationConstraint": BUCKET_REGION})
        ec2 = self.client("ec2", KEY_REGION)
        for k in KEY_PAIRS:
            ec2.create_key_pair(KeyName=k, KeyType="ed25519",
                                TagSpecifications=[{"ResourceType": "key-pair",
                                                    "Tags": [{"Key": "Owner", "Value": k}]}])
        if self.extra_amis:
            self.seed_extra_amis(self.extra_amis, self.extra_builds)

    def seed_extra_amis(self, count, extra_builds):
        """--extra-amis: `count` "build" AMIs of the --extra-builds commits (scenario.extra_commit),
        the newest extra builds first, one per destination region in turn, tagged and shared like
        build_amis() makes them (no templates).  Straight into moto's EC2 backend, in-process:
        about 40 times faster than RegisterImage + CreateTags + ModifyImageAttribute over HTTP,
        and DescribeImages serves them exactly the same."""
        import scenario
        from moto.ec2.models import ec2_backends
        from aws_sim import ACCOUNT_ID
        _fast_ami_tags()
        offset = scenario.number_offset(extra_builds)
        perms = [{"UserId": u} for u in self.locals["ami_users"]]
        for k in range(count):
            region, i = self.regions[k % len(self.regions)], k // len(self.regions) + 1
            commit = scenario.extra_commit(i)
            number = scenario.FIRST_BUILD + offset - i
            be = ec2_backends[ACCOUNT_ID][region]
            name = "readyset-%s-%s" % (commit[:12], region)
            ami = be.register_image(name=name, description="ReadySet server, build %d, commit %s" % (
                number, commit))
            ami.architecture, ami.virtualization_type, ami.boot_mode = "x86_64", "hvm", "uefi-preferred"
            ami.root_device_name, ami.root_device_type = "/dev/xvda", "ebs"
            b = BuildInfo(number, commit, "main")
            be.create_tags([ami.id], {t["Key"]: t["Value"] for t in self._tags(b, name, "build")})
            ami.launch_permissions.extend(dict(p) for p in perms)

    def permissions(self, number=None, region=None):
        """LaunchPermission entries for an AMI: ami_users, except for the drift commit."""
        users = list(self.locals["ami_users"])
        drift = DRIFT.get(region) if number == DRIFT_BUILD else None
        if drift == "missing":
            users.remove(self.locals["customer_account_ids"][1])
        perms = [{"UserId": u} for u in users]
        if drift == "extra":
            perms.append({"UserId": DRIFT_EXTRA_ACCOUNT})
        elif drift == "public":
            perms.append({"Group": "all"})
        return perms

    @staticmethod
    def _tags(b, name, stage, release=None):
        tags = [("Commit", b.commit), ("Name", name), ("Build", str(b.number)), ("Stage", stage)]
        if _TAG_VALUE_OK.fullmatch(b.branch or ""):
            tags.append(("Branch", b.branch))
        if release:
            tags.append(("Release", release))
        return [{"Key": k, "Value": v} for k, v in tags]

    def _finish_image(self, ec2, image_id, tags, perms):
        # moto ignores RegisterImage/CopyImage TagSpecifications: tag afterwards, as DESIGN.md says.
        ec2.create_tags(Resources=[image_id], Tags=tags)
        ec2.modify_image_attribute(ImageId=image_id, LaunchPermission={"Add": perms})

    def build_amis(self, b):
        """Returns {region: ami id}."""
        short = b.commit[:12]
        amis = {}
        for region in self.regions:
            ec2 = self.client("ec2", region)
            name = "readyset-%s-%s" % (short, region)
            image_id = ec2.register_image(
                Name=name, Description="ReadySet server, build %d, commit %s" % (b.number, b.commit),
                Architecture="x86_64", RootDeviceName="/dev/xvda", VirtualizationType="hvm",
                EnaSupport=True, BootMode="uefi-preferred", ImdsSupport="v2.0",
                BlockDeviceMappings=[{"DeviceName": "/dev/xvda",
                                      "Ebs": {"VolumeSize": 40, "VolumeType": "gp3",
                                              "DeleteOnTermination": True}}])["ImageId"]
            self._finish_image(ec2, image_id, self._tags(b, name, "build"), self.permissions(b.number, region))
            amis[region] = image_id
        self.put_templates(INTERNAL_BUCKET, "%s/readyset/templates/" % b.commit, amis,
                           dict(commit=b.commit, build=b.number, stage="internal", version="release-test"),
                           public=False)
        return amis

    def build_images(self, commit, region):
        """The newest "build" AMI of a commit in a region (DescribeImages), or None."""
        imgs = self.client("ec2", region).describe_images(
            Owners=["self"], Filters=[{"Name": "tag:Commit", "Values": [commit]},
                                      {"Name": "tag:Stage", "Values": ["build"]}])["Images"]
        return max(imgs, key=lambda i: i.get("CreationDate", "")) if imgs else None

    def deploy(self, b, stage, release=None):
        """alpha or release: copy the AMIs, write the public templates. Returns {region: ami id}."""
        src = self.build_images(b.commit, SOURCE_REGION)
        if src is None:
            raise RuntimeError("no AMI of commit %s in %s to copy" % (b.commit, SOURCE_REGION))
        label = "alpha" if stage == "alpha" else release
        amis = {}
        for region in self.regions:
            ec2 = self.client("ec2", region)
            name = "readyset-%s-%s-%s" % (b.commit[:12], region, "alpha") if stage == "alpha" else \
                "readyset-%s-%s" % (release, region)
            image_id = ec2.copy_image(SourceImageId=src["ImageId"], SourceRegion=SOURCE_REGION, Name=name,
                                      Description="ReadySet server %s, build %d, commit %s"
                                      % (label, b.number, b.commit))["ImageId"]
            self._finish_image(ec2, image_id, self._tags(b, name, stage, release), self.permissions())
            amis[region] = image_id
        prefix = "alpha/%s/readyset/templates/" % b.commit if stage == "alpha" else \
            "%s/readyset/templates/" % release
        self.put_templates(PUBLIC_BUCKET, prefix, amis,
                           dict(commit=b.commit, build=b.number, stage=stage,
                                version="alpha" if stage == "alpha" else release), public=True)
        return amis

    def put_templates(self, bucket, prefix, amis, info, public):
        s3 = self.client("s3", BUCKET_REGION)
        for name, text in render_templates(amis, bucket, prefix, info).items():
            extra = {"ACL": "public-read"} if public else {}
            s3.put_object(Bucket=bucket, Key=prefix + name, Body=text.encode("utf-8"),
                          ContentType="application/x-yaml", **extra)
