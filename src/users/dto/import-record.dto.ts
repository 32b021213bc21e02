/**
 * One user of a migration (a JSON item, or an NDJSON line). Records are checked one by
 * one when the job runs (parseImportRecord): a bad one is reported by line in
 * the job's errors and never stops the job. At least one of email or mobile, except to update a user matched by externalId.
 */
export class ImportRecord {
  /** Your system's id for the user; matched first on conflict. @example "crm-1" */
  externalId?: string;
  /** @example "ada@example.com" */
  email?: string;
  /** E.164. @example "+14155550100" */
  mobile?: string;
  /** @example "Ada" */
  givenName?: string;
  /** @example "Lovelace" */
  familyName?: string;
  /** @example "Ada Lovelace" */
  name?: string;
  /** @example true */
  emailVerified?: boolean;
  /** Defaults to active; a user without a password or hash is imported as invited, unless `disabled` is asked for. @example "active" */
  status?: 'active' | 'disabled';
  /** A JSON object of at most 16 KB. @example {"plan": "pro"} */
  attributes?: Record<string, unknown>;
  /** Group names; missing groups are created. @example ["admins"] */
  groups?: string[];
  /** A plaintext password, hashed by the worker with argon2id and never stored; one the pool's password policy refuses is a `weak_password` error of its record. @example "correct horse battery staple" */
  password?: string;
  /**
   * A hash from your current system, stored as given and upgraded to argon2id at the first
   * sign-in: argon2id/argon2i, bcrypt (`$2a$`/`$2b$`/`$2y$`), scrypt, PBKDF2 (passlib `$pbkdf2-sha256$…` and Django
   * `pbkdf2_sha256$…`), crypt(3) SHA-512/SHA-256/MD5 (`$6$`, `$5$`, `$1$`), LDAP `{SSHA}`, `{SSHA256}`, `{SSHA512}`.
   * The example is bcrypt of the documentation's example password, `correct horse battery staple`.
   * @example "$2b$10$MoXmc5lHMK.9dyvxfTnE2OaDvzxF0JEIJWX5Ve1OiJAPGinDah1k2"
   */
  passwordHash?: string;
}
