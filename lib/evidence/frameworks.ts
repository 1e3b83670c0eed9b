/** A control in a framework that an export evidences. */
export interface FrameworkRef {
  framework: string;
  control: string;
  title: string;
}

/** What a review of access rights evidences, in the frameworks auditors ask about. */
export const ACCESS_REVIEW_FRAMEWORKS: readonly FrameworkRef[] = [
  { framework: "ISO/IEC 27001:2022", control: "A.5.18", title: "Access rights" },
  { framework: "SOC 2 (2017 TSC)", control: "CC6.2", title: "Registration and authorisation of users; removal of access no longer required" },
  { framework: "SOC 2 (2017 TSC)", control: "CC6.3", title: "Access authorised, modified or removed on least privilege and segregation of duties" },
  { framework: "NIST CSF 2.0", control: "PR.AA-05", title: "Access permissions, entitlements and authorisations are defined, managed, enforced and reviewed" },
  { framework: "OWASP Non-Human Identity Top 10 (2025)", control: "NHI5", title: "Overprivileged NHI" },
];

export function frameworkLine(f: FrameworkRef): string {
  return `${f.framework} ${f.control}: ${f.title}`;
}
