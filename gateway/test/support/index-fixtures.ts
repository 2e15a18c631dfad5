/** Records and transaction IDs shaped as the chaincode writes them, for the index's tests. */

/** A 64-hex transaction ID from a number. */
export const tx = (n: number): string => n.toString(16).padStart(64, '0');

/** A withdrawal record of centre 110000, as the chaincode writes it, with `alerts` MULTI_CENTRE alerts. */
export function withdrawal(id: string, status: string, alerts = 0): Record<string, unknown> {
  return {
    attestationId: `withdrawal:110000:${id}`,
    centre: '110000',
    withdrawalId: id,
    status,
    reasonCode: '01',
    withdrawnOn: '2026-11-02',
    recordedAt: '2026-11-02T09:00:00.000Z',
    txId: tx(100),
    evidence: [{ kind: 'PURCHASE_CONTRACT', hash: 'e'.repeat(64) }],
    alerts: Array.from({ length: alerts }, () => ({
      code: 'MULTI_CENTRE',
      message: 'subject: 3 withdrawals at 2 centres',
    })),
  };
}
