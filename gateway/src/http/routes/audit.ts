import { Router } from 'express';
import type { ApiRequest } from '../../api-types';
import type { AuditService } from '../../services/audit-service';
import type { PersonLookups } from '../../services/person-lookups';
import { callerOf } from '../auth';

/** Subjects, proofs and raw ledger reads. Open to every role; person lookups within the key's budget. */
export function auditRoutes(audit: AuditService, lookups: PersonLookups): Router {
  const router = Router();
  router.post('/v1/subjects/lookup', (req: ApiRequest<'lookupSubject'>, res) => {
    const { person } = req.body;
    res.json(lookups.subjectRef({ keyId: callerOf(req).keyId, log: req.log }, person));
  });
  router.get('/v1/subjects/:subjectRef/timeline', async (req, res) => {
    res.json(await audit.timeline(req.params.subjectRef));
  });
  router.get('/v1/attestations/:id/proof', async (req, res) => {
    res.json(await audit.proof(req.params.id));
  });
  router.post('/v1/verify', async (req: ApiRequest<'verify'>, res) => {
    res.json(await audit.verify(req.body));
  });
  router.get('/v1/transactions/:txId', async (req, res) => {
    res.json(await audit.transaction(req.params.txId));
  });
  router.get('/v1/blocks/:number', async (req, res) => {
    res.json(await audit.block(BigInt(req.params.number)));
  });
  return router;
}
