// Sandbox copy of ops/image-deploy/locals.pkr.hcl from readysettech/readyset.
//
// The relcon sandbox grants AMI launch permissions from this file (ami_users, exactly as the
// Packer build does), and `ctl.sh start` points relcon at it (RELCON_LOCALS_PATH) so the
// console knows who *should* be able to launch each AMI.  The account ids are made up;
// 123456789012 is moto's default account, which plays the sandbox account and owns the AMIs.

locals {
  skip_create_ami         = !var.create_ami
  timestamp               = timestamp()
  destination_ami_version = var.release_name != "" ? var.release_name : "release-test"
  source_region           = "us-east-2"

  /* The build account runs Packer; the sandbox account is where engineers launch the
     MySQL super-stack from the internal templates. */
  build_account_id   = "444455556666"
  sandbox_account_id = "123456789012"

  internal_account_ids = [local.build_account_id, local.sandbox_account_id]

  # Customers allowed to launch the AMIs (one per line; keep the trailing comma).
  customer_account_ids = [
    "111122223333", # Acme Corp
    "777788889999", # Globex
    "246813579024", # Initech (trial until 2027-01-31)
    "135792468013", // Umbrella
  ]

  ami_users = concat(local.internal_account_ids, local.customer_account_ids)

  destination_regions = ["us-east-1", "us-east-2", "us-west-2"]
}
