/* aws/cli_equiv.h - an AWS request as the equivalent AWS CLI command, for
 * the command log: what a person would type to make the same call.
 *
 *   aws <service> <op> --region R [--endpoint-url URL] [--profile P] ARGS...
 *
 * <service> is the CLI's (s3api for S3); the operation and every parameter
 * are kebab-cased as the CLI names them (aws_cli_name).  Query-protocol
 * bodies (EC2, CloudFormation, STS: aws/query.h) map generically:
 *   Name=v                           --name v (--x=v when v starts with '-')
 *   DisableRollback=true             --disable-rollback (--no-... for false)
 *   X.member.N=v                     --x v1 v2 ...         (CloudFormation, STS)
 *   X.N=v                            --xs v1 v2 ...        (EC2 names lists in
 *                                    the singular: ImageId.1 -> --image-ids)
 *   X.member.N.F=v, X.N.F=v          --x F=v,G=w F=v,G=w   (structure lists in
 *                                    the CLI's shorthand, a ',' in a value as \,)
 *   X.N.F.M=v                        --xs ...,Fs=a,b       (Filter.1.Value.1 ->
 *                                    --filters Name=n,Values=a,b)
 * A structure list holding a value the shorthand cannot carry (spaces,
 * quotes, brackets, '=', an empty value...) is written as JSON instead:
 * --parameters '[{"ParameterKey":"K","ParameterValue":"a b"}]'.  S3 (REST)
 * requests become s3api commands: --bucket, --key, and the query's
 * parameters (already kebab-case; list-type=2 is what list-objects-v2 means).
 * Every word is quoted for a POSIX shell (core/shquote.h).
 *
 * SECRETS: the command never carries credentials (there are none in a body
 * or query: signatures and tokens are headers).  Values equal to one of
 * req->secrets (NoEcho CloudFormation parameters) and STS TokenCode (an MFA
 * code) are written "(secret)". */
#ifndef RELCON_AWS_CLI_EQUIV_H
#define RELCON_AWS_CLI_EQUIV_H

#include "aws/client.h"
#include "core/buf.h"

/* Append the command for req to out.  region is where it goes (req->region
 * is ignored), endpoint_url the overriding endpoint ("http://localhost:4566")
 * or NULL for AWS's own, profile the named profile or NULL for the default. */
void aws_cli_command(struct buf *out, const struct aws_req *req, const char *region, const char *endpoint_url,
		     const char *profile);

/* Append name as the CLI spells an operation or parameter (botocore's
 * xform_name with '-'): words split at capitals, a run of capitals one
 * word, lower-cased: DescribeStackEvents -> describe-stack-events,
 * TemplateURL -> template-url, ListObjectsV2 -> list-objects-v2,
 * DBInstanceARNs -> db-instance-arns. */
void aws_cli_name(struct buf *out, const char *name);

#endif
