import type { ConnectorDriver } from "../types";
import { collectIam, testIam } from "./collect";
import { convertIam } from "./convert";
import { readIamOffline } from "./offline";
import { credentialSchema, defaultSettings, iamHosts, settingsSchema, type AwsIamCredential, type AwsIamSettings } from "./settings";

/**
 * AWS IAM: one account's users, groups, roles and policies from
 * GetAccountAuthorizationDetails (docs/connectors/aws-iam.md).
 */
export const awsIamDriver: ConnectorDriver<AwsIamSettings, AwsIamCredential> = {
  kind: "aws-iam",
  label: "AWS IAM",
  format: "aws-iam",
  sourceType: "aws_iam",
  settingsSchema,
  credentialSchema,
  settingsFields: [
    {
      name: "accountId",
      label: "AWS account id",
      help: "12 digits. A run whose credential reads another account fails instead of replacing this source.",
      placeholder: "123456789012",
    },
    { name: "region", label: "Region", help: "Chooses the partition (aws, aws-cn, aws-us-gov); IAM is global within it.", placeholder: "us-east-1" },
    {
      name: "endpoint",
      label: "Endpoint override",
      help: "Only for a VPC endpoint or an isolated partition; leave empty otherwise.",
      placeholder: "https://iam.amazonaws.com",
    },
    {
      name: "userRules",
      label: "Which IAM users are people",
      help: 'JSON: {"humanNamePatterns": ["*@example.com"], "serviceNamePatterns": ["svc-*"], "humanPathPrefixes": ["/people/"], "defaultUserKind": "service_account"} (see the connector\'s documentation)',
      multiline: true,
    },
  ],
  credentialFields: [
    { name: "accessKeyId", label: "Access key id", required: true, secret: true, placeholder: "AKIA…" },
    { name: "secretAccessKey", label: "Secret access key", required: true, secret: true },
    { name: "sessionToken", label: "Session token", help: "Only for temporary credentials (ASIA… keys).", secret: true, multiline: true },
  ],
  defaultSettings,
  hosts: iamHosts,
  test: testIam,
  collect: collectIam,
  convert: convertIam,
  readOffline: readIamOffline,
};
