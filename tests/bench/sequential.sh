#!/bin/sh
# The "full refresh" of `make bench` (b) done the way a shell script would: the same requests
# `relcon builds --artifacts --limit N` makes, one after another, with curl (Buildkite) and
# the aws CLI (one process per call).  bench.py times it against relcon.
#
#   tests/bench/sequential.sh OUTDIR
#
# Environment: RELCON_BUILDKITE_ENDPOINT, BUILDKITE_API_TOKEN, BUILDKITE_ORGANIZATION_SLUG,
# RELCON_PIPELINE, AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION
# (as sandbox/ctl.sh prints them, or pointed at tests/bench/latency_proxy.py), and
#   BENCH_LIMIT      builds (default 50)
#   BENCH_REGIONS    AMI regions (default "us-east-1 us-east-2 us-west-2", aws.destination_regions)
#   BENCH_INTERNAL_BUCKET, BENCH_PUBLIC_BUCKET (aws.internal_bucket, aws.public_bucket)
#   BENCH_COMMIT_TAG AMI tag holding the commit (aws.commit_tag, default Commit)
# Each answer is written to OUTDIR; the last line on stdout is "requests=N".
#
# The requests, as relcon's debug log lists them for a refresh:
#   1  GET  builds?per_page=LIMIT                       (Buildkite, curl)
#   3  DescribeImages, one per region, Filter tag:Commit = every listed commit
#   3  ListObjectsV2 delimiter=/: the internal bucket (commits with templates), the public
#      bucket (named releases) and its alpha/ prefix (alpha releases)
#   1  DescribeStacks in AWS_REGION (the stacks list)
set -eu
out=${1:?usage: sequential.sh OUTDIR}
mkdir -p "$out"
limit=${BENCH_LIMIT:-50}
regions=${BENCH_REGIONS:-us-east-1 us-east-2 us-west-2}
internal=${BENCH_INTERNAL_BUCKET:-readysettech-cfn-internal-us-east-2}
public=${BENCH_PUBLIC_BUCKET:-readysettech-cfn-public-us-east-2}
tag=${BENCH_COMMIT_TAG:-Commit}
org=${BUILDKITE_ORGANIZATION_SLUG:-readyset}
pipe=${RELCON_PIPELINE:-readyset}
n=0

curl -sS --fail -o "$out/builds.json" -H "Authorization: Bearer $BUILDKITE_API_TOKEN" \
	"$RELCON_BUILDKITE_ENDPOINT/v2/organizations/$org/pipelines/$pipe/builds?per_page=$limit"
n=$((n + 1))
# The commits, comma-separated, for the tag filter (a build's "commit" is its only such key).
commits=$(grep -o '"commit":"[0-9a-f]\{40\}"' "$out/builds.json" | cut -d'"' -f4 | sort -u | paste -sd, -)
[ -n "$commits" ] || { echo "sequential.sh: no commits in the builds page" >&2; exit 1; }

for r in $regions; do
	aws ec2 describe-images --region "$r" --filters "Name=tag:$tag,Values=$commits" \
		--output json >"$out/images-$r.json"
	n=$((n + 1))
done
aws s3api list-objects-v2 --bucket "$internal" --delimiter / --output json >"$out/internal.json"
aws s3api list-objects-v2 --bucket "$public" --delimiter / --output json >"$out/releases.json"
aws s3api list-objects-v2 --bucket "$public" --delimiter / --prefix alpha/ --output json >"$out/alpha.json"
n=$((n + 3))
aws cloudformation describe-stacks --output json >"$out/stacks.json"
n=$((n + 1))
echo "requests=$n"
