import { Router } from 'express';
import type { ApiRequest, Schemas } from '../../api-types';
import type { WithdrawalService } from '../../services/withdrawal-service';
import { callerOf, requireOperator } from '../auth';
import { sendBatch, type ItemValidator } from '../batch';
import { pathParam, sendWrite } from './send';

/** /v1/withdrawals: validated by the OpenAPI document before they get here. */
export function withdrawalRoutes(
  withdrawals: WithdrawalService,
  validateItem: ItemValidator<Schemas['Withdrawal']>,
): Router {
  const router = Router();
  router.post(
    '/v1/withdrawals/batch',
    requireOperator,
    async (req: ApiRequest<'recordWithdrawalBatch'>, res) => {
      const caller = callerOf(req);
      await sendBatch(req, res, (item, i) => withdrawals.record(caller, validateItem(item, i)));
    },
  );
  router.post(
    '/v1/withdrawals/precheck',
    requireOperator,
    async (req: ApiRequest<'precheckWithdrawal'>, res) => {
      res.json(await withdrawals.precheck(callerOf(req), req.body));
    },
  );
  router.post('/v1/withdrawals', requireOperator, async (req: ApiRequest<'recordWithdrawal'>, res) => {
    sendWrite(res, await withdrawals.record(callerOf(req), req.body));
  });
  router.post(
    '/v1/withdrawals/:id/reverse',
    requireOperator,
    async (req: ApiRequest<'reverseWithdrawal'>, res) => {
      const { reason } = req.body;
      sendWrite(res, await withdrawals.reverse(callerOf(req), pathParam(req.params, 'id'), reason));
    },
  );
  router.get('/v1/withdrawals/:id', async (req, res) => {
    const centre = typeof req.query.centre === 'string' ? req.query.centre : undefined;
    res.json(await withdrawals.get(callerOf(req), pathParam(req.params, 'id'), centre));
  });
  return router;
}
