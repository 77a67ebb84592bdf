/** `UPDATE … SET` from the fields a partial update sets. */

/** `UPDATE table SET a = ?, b = ? WHERE …` from the fields that are set; undefined means "leave". */
export function updateSql(table: string, set: Record<string, unknown>, where: string): [string, unknown[]] | undefined {
  const cols = Object.keys(set).filter((k) => set[k] !== undefined);
  if (cols.length === 0) return undefined;
  return [`UPDATE "${table}" SET ${cols.map((c) => `"${c}" = ?`).join(', ')} WHERE ${where}`, cols.map((c) => set[c])];
}
