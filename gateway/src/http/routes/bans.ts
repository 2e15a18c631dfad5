import { Router } from 'express';
import type { ApiRequest } from '../../api-types';
import type { BanService } from '../../services/ban-service';
import { callerOf, requireOperator } from '../auth';
import { pathParam, sendWrite } from './send';

/** /v1/bans: validated by the OpenAPI document before they get here. */
export function banRoutes(bans: BanService): Router {
  const router = Router();
  router.post('/v1/bans', requireOperator, async (req: ApiRequest<'imposeBan'>, res) => {
    sendWrite(res, await bans.impose(callerOf(req), req.body));
  });
  router.post('/v1/bans/:banId/lift', requireOperator, async (req: ApiRequest<'liftBan'>, res) => {
    sendWrite(res, await bans.lift(callerOf(req), pathParam(req.params, 'banId'), req.body.reason));
  });
  router.get('/v1/bans/:banId', async (req, res) => {
    const centre = typeof req.query.centre === 'string' ? req.query.centre : undefined;
    res.json(await bans.get(callerOf(req), pathParam(req.params, 'banId'), centre));
  });
  return router;
}
