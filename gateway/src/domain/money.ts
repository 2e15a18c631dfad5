/** Money in the API is a decimal string with at most 2 places; on the ledger it is integer fen. */
const MONEY_PATTERN = /^(0|[1-9]\d{0,11})(?:\.(\d{1,2}))?$/;

/** Integer fen for a decimal string, or undefined when the string is not a valid amount. */
export function toFen(amount: string): number | undefined {
  const match = MONEY_PATTERN.exec(amount);
  if (!match) {
    return undefined;
  }
  const yuan = Number(match[1]);
  const fen = Number((match[2] ?? '').padEnd(2, '0'));
  return yuan * 100 + fen;
}
