import { type Kysely, type Migration, sql } from "kysely";
import type { SecretBox } from "../../secrets/createSecretBox.ts";

/** What the secret box binds a model's sealed upstream to (AES-GCM associated data). */
export const UPSTREAM_PURPOSE = "models.upstream";

/**
 * Seals the secrets the database held in plaintext: `models.upstream` (an external model's base URL, which may
 * carry `user:pass@` or `?token=`, and its API key) becomes `sealed:v1:…` under `<dataDir>/secrets.key`. The
 * plaintext bytes do not survive in the file: the database runs with `secure_delete` (freed space is zeroed)
 * and `createDatabase` truncates the WAL after migrating. Without a secret box, a database holding such rows
 * refuses to migrate (a clear error) rather than keep them in plaintext.
 */
export function sealedSecrets(secrets: SecretBox | undefined): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      const rows = (
        await sql<{
          model_id: number;
          upstream: string;
        }>`select model_id, upstream from models where upstream is not null`.execute(db)
      ).rows.filter((r) => !r.upstream.startsWith("sealed:"));
      if (rows.length === 0) return;
      if (!secrets) {
        throw new Error(
          `${rows.length} model upstream(s) hold plaintext credentials and no secret box was given; open the database through createNode (it passes <dataDir>/secrets.key)`,
        );
      }
      for (const r of rows) {
        const sealed = secrets.seal(r.upstream, UPSTREAM_PURPOSE);
        await sql`update models set upstream = ${sealed} where model_id = ${r.model_id}`.execute(db);
      }
    },
  };
}
