/** Users, API keys and settings: the reads (their writes are tx/accounts.ts). */
import type { AccountReads, StoredKey } from '../core/store';
import type { SqlExec } from './sql-exec';

const KEY_COLUMNS = `k."key_id", k."user_name", u."entity", k."hint", k."created_time", k."revoked_time"`;
const KEYS_WITH_USERS = `"api_keys" k JOIN "users" u ON u."name" = k."user_name"`;

function keyFromRow(r: any): StoredKey {
  return {
    keyId: String(r.key_id),
    userName: String(r.user_name),
    entity: String(r.entity),
    createdAt: Number(r.created_time),
    ...(r.revoked_time !== null && r.revoked_time !== undefined ? { revokedAt: Number(r.revoked_time) } : {}),
    hint: String(r.hint),
  };
}

export class SqlAccountReads implements AccountReads {
  constructor(private readonly sql: SqlExec) {}

  async keyByHash(keyHash: string): Promise<StoredKey | undefined> {
    const [row] = await this.sql.all(`SELECT ${KEY_COLUMNS} FROM ${KEYS_WITH_USERS} WHERE k."key_hash" = ?`, [keyHash]);
    return row ? keyFromRow(row) : undefined;
  }

  async listKeys(): Promise<StoredKey[]> {
    const rows = await this.sql.all(`SELECT ${KEY_COLUMNS} FROM ${KEYS_WITH_USERS} ORDER BY k."created_time", k."key_id"`);
    return rows.map(keyFromRow);
  }

  async setting(name: string): Promise<string | undefined> {
    const [row] = await this.sql.all(`SELECT "value" FROM "settings" WHERE "name" = ?`, [name]);
    return row ? String(row.value) : undefined;
  }
}
