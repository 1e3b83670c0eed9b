import { z } from "zod";

/**
 * How IAM users are told apart (people or workloads). Patterns are globs
 * (`*` any run of characters, `?` one), matched case-insensitively against
 * the user's name or path; the first rule that decides wins:
 * 1. the tag named `kindTagKey` says `human` or `service_account`;
 * 2. `serviceNamePatterns` / `servicePathPrefixes` → service_account;
 * 3. `humanNamePatterns` / `humanPathPrefixes` → human;
 * 4. `emailMeansHuman`: the name, or a tag in `emailTagKeys`, is an e-mail address → human;
 * 5. `consoleLoginMeansHuman`: the answer shows a console password (`PasswordLastUsed`, `LoginProfile`) → human;
 * 6. otherwise `defaultUserKind`.
 */
/** A form sends text: a list may come as one string, one item per line or comma. */
const textList = (max: number, itemMax: number) =>
  z.preprocess(
    (v) =>
      typeof v === "string"
        ? v
            .split(/[\n,]/)
            .map((x) => x.trim())
            .filter(Boolean)
        : v,
    z.array(z.string().trim().min(1).max(itemMax)).max(max),
  );
const flag = z.preprocess((v) => (v === "true" ? true : v === "false" ? false : v), z.boolean());
/** A field left empty on a form is the same as one not given. */
const blankIsAbsent = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

export const userRulesSchema = z
  .object({
    kindTagKey: z.string().trim().min(1).max(128).default("attest:kind"),
    serviceNamePatterns: textList(200, 200).default([]),
    servicePathPrefixes: textList(200, 512).default([]),
    humanNamePatterns: textList(200, 200).default([]),
    humanPathPrefixes: textList(200, 512).default([]),
    emailMeansHuman: flag.default(true),
    emailTagKeys: textList(20, 128).default(["email"]),
    consoleLoginMeansHuman: flag.default(true),
    defaultUserKind: z.enum(["service_account", "human"]).default("service_account"),
  })
  .strict();
export type UserRules = z.infer<typeof userRulesSchema>;

const endpoint = z
  .string()
  .trim()
  .max(500)
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === "https:" || u.protocol === "http:") && !u.username && !u.password;
    } catch {
      return false;
    }
  }, "endpoint must be an http(s) URL without credentials");

export const settingsSchema = z
  .object({
    /** Chooses the partition (aws, aws-cn, aws-us-gov...); IAM itself is global within it. */
    region: z
      .preprocess(
        blankIsAbsent,
        z
          .string()
          .trim()
          .regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, "region must be an AWS region name such as us-east-1")
          .optional(),
      )
      .transform((v) => v ?? "us-east-1"),
    /** An IAM endpoint other than the partition's (VPC endpoint, sovereign or isolated partition, a test fake). */
    endpoint: z.preprocess(blankIsAbsent, endpoint.optional()),
    /** The 12-digit account the credential must belong to; a run reading another account fails. */
    accountId: z.preprocess(
      blankIsAbsent,
      z
        .string()
        .trim()
        .regex(/^\d{12}$/, "accountId must be 12 digits")
        .optional(),
    ),
    /** MaxItems per call (1-1000). */
    pageSize: z.preprocess((v) => (typeof v === "string" && /^\d+$/.test(v.trim()) ? Number(v) : v), z.number().int().min(1).max(1000)).default(1000),
    /** An object, or its JSON text (the admin form's multi-line field). */
    userRules: z
      .preprocess((v) => {
        if (typeof v !== "string") return v;
        if (!v.trim()) return undefined;
        try {
          return JSON.parse(v);
        } catch {
          return v;
        }
      }, userRulesSchema.optional())
      .transform((v) => v ?? userRulesSchema.parse({})),
  })
  .strict();
export type AwsIamSettings = z.infer<typeof settingsSchema>;

export const credentialSchema = z
  .object({
    accessKeyId: z
      .string()
      .trim()
      .regex(/^[A-Z0-9]{16,128}$/, "accessKeyId must be an AWS access key id (AKIA… or ASIA…)"),
    secretAccessKey: z.string().trim().min(16).max(256),
    /** Temporary credentials (ASIA… keys) carry one. */
    sessionToken: z.string().trim().min(1).max(8192).optional(),
  })
  .strict();
export type AwsIamCredential = z.infer<typeof credentialSchema>;

export const defaultSettings: AwsIamSettings = settingsSchema.parse({});

/** The IAM endpoint host of the region's partition (what the SDK's endpoint rules give), or the endpoint override's host[:port]. */
export function iamHosts(settings: AwsIamSettings): string[] {
  if (settings.endpoint) {
    const u = new URL(settings.endpoint);
    return [u.host];
  }
  const r = settings.region;
  if (r.startsWith("cn-")) return ["iam.cn-north-1.amazonaws.com.cn"];
  if (r.startsWith("us-gov-")) return ["iam.us-gov.amazonaws.com"];
  // Isolated partitions (us-iso*, eu-isoe...) have their own endpoints: set `endpoint` for them.
  return ["iam.amazonaws.com"];
}
