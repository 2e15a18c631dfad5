import { Router, type Request } from 'express';
import type { ApiRequest, BodyOf } from '../../api-types';
import type { CertificateService } from '../../services/certificate-service';
import { optionalObject, type JsonObject } from '../../services/json-record';
import { callerOf, requireOperator } from '../auth';
import { logPersonalRead } from '../personal-read';
import { pathParam, sendWrite } from './send';

function query(req: Request, name: string): string | undefined {
  const value = req.query[name];
  return typeof value === 'string' ? value : undefined;
}

/** The IDs a content read is logged with: the number and the issuer, never the content. */
function certificateIds(held: JsonObject, certificateNo: string): Record<string, string> {
  const issuer = optionalObject(held, 'record')?.issuer;
  return { certificateNo, issuer: typeof issuer === 'string' ? issuer : '', read: 'content' };
}

/** A verification: the PDF's bytes (application/pdf, read raw) or `{certificateNo, issuer?, contentHash}`. */
type VerifyRequest<Op extends 'verifyCertificate' | 'verifyCertificatePublic'> = ApiRequest<
  Op,
  BodyOf<Op> | Buffer
>;

function verify(
  certificates: CertificateService,
  req: VerifyRequest<'verifyCertificate'> | VerifyRequest<'verifyCertificatePublic'>,
  defaultIssuer: string | null,
): Promise<JsonObject> {
  return Buffer.isBuffer(req.body)
    ? certificates.verifyPdf(req.body)
    : certificates.verifyHash(req.body, defaultIssuer);
}

/** /v1/certificates, /v1/certificate-requests and the key-less verification; validated by the OpenAPI document. */
export function certificateRoutes(certificates: CertificateService): Router {
  const router = Router();
  router.post(
    '/v1/public/certificates/verify',
    async (req: VerifyRequest<'verifyCertificatePublic'>, res) => {
      res.json(await verify(certificates, req, null));
    },
  );
  router.post('/v1/certificates/verify', async (req: VerifyRequest<'verifyCertificate'>, res) => {
    res.json(await verify(certificates, req, callerOf(req).centreCode));
  });
  router.post('/v1/certificates', requireOperator, async (req: ApiRequest<'issueCertificate'>, res) => {
    sendWrite(res, await certificates.issue(callerOf(req), req.body));
  });
  router.get('/v1/certificates/:no', async (req, res) => {
    res.json(await certificates.get(callerOf(req), pathParam(req.params, 'no'), query(req, 'issuer')));
  });
  router.get('/v1/certificates/:no/content', async (req, res) => {
    const caller = callerOf(req);
    const no = pathParam(req.params, 'no');
    const held = await certificates.content(caller, no, query(req, 'issuer'));
    logPersonalRead(req, res, caller, certificateIds(held, no));
    res.json(held);
  });
  router.get('/v1/certificates/:no/pdf', async (req, res) => {
    const caller = callerOf(req);
    const no = pathParam(req.params, 'no');
    const issuer = query(req, 'issuer') ?? caller.centreCode ?? '';
    const pdf = await certificates.pdf(caller, no, query(req, 'issuer'));
    logPersonalRead(req, res, caller, { certificateNo: no, issuer, read: 'pdf' });
    res.setHeader('Content-Disposition', `attachment; filename="certificate-${no}.pdf"`);
    res.setHeader('Cache-Control', 'no-store');
    res.type('application/pdf').send(pdf);
  });
  router.post(
    '/v1/certificates/:no/revoke',
    requireOperator,
    async (req: ApiRequest<'revokeCertificate'>, res) => {
      const { reason } = req.body;
      sendWrite(res, await certificates.revoke(callerOf(req), pathParam(req.params, 'no'), reason));
    },
  );
  router.post('/v1/certificates/redeem', requireOperator, async (req: ApiRequest<'redeemShareCode'>, res) => {
    const redemption = await certificates.redeem(callerOf(req), req.body.code);
    // IDs only: never the code, its hash or the person.
    req.log.info({ redemption: redemption.ids }, 'share code redeemed');
    res.setHeader('X-Transaction-Id', redemption.ids.txId);
    res.json(redemption.body);
  });
  router.post(
    '/v1/certificates/:no/share-codes',
    requireOperator,
    async (req: ApiRequest<'createShareCode'>, res) => {
      const ttlSeconds = req.body?.ttlSeconds;
      res
        .status(201)
        .json(await certificates.createShareCode(callerOf(req), pathParam(req.params, 'no'), ttlSeconds));
    },
  );
  router.post(
    '/v1/certificate-requests',
    requireOperator,
    async (req: ApiRequest<'requestCertificate'>, res) => {
      sendWrite(res, await certificates.request(callerOf(req), req.body));
    },
  );
  router.get('/v1/certificate-requests', async (req, res) => {
    res.json(
      await certificates.listRequests(
        callerOf(req),
        query(req, 'direction') ?? '',
        query(req, 'status') ?? '',
      ),
    );
  });
  router.get('/v1/certificate-requests/:id', async (req, res) => {
    const caller = callerOf(req);
    const requestId = pathParam(req.params, 'id');
    const { body, personal } = await certificates.readRequest(caller, requestId, query(req, 'requester'));
    if (personal) {
      const requester = typeof body.requester === 'string' ? body.requester : '';
      logPersonalRead(req, res, caller, {
        certificateRequestId: requestId,
        requester,
        read: 'certificate-request',
      });
    }
    res.json(body);
  });
  router.post(
    '/v1/certificate-requests/:id/refuse',
    requireOperator,
    async (req: ApiRequest<'refuseCertificateRequest'>, res) => {
      const { requester, reason } = req.body;
      sendWrite(
        res,
        await certificates.refuse(callerOf(req), pathParam(req.params, 'id'), requester, reason),
      );
    },
  );
  return router;
}
