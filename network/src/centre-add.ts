import { isCentreCode } from '../../chaincode/src/domain';
import type { Consortium, OrgDefinition } from './definition';
import {
  ensureApiKeys,
  gatewayProcessName,
  readAddedCentres,
  recordAddedCentre,
  startGateway,
  waitGatewayReady,
} from './gateways';
import type { Layout } from './layout';
import { withOrg } from './org-client';
import { runningProcess, stopProcess } from './processes';
import { SUPERVISOR_NAME } from './supervisor';

/**
 * `centre:add`: a centre joins an organisation that is already a member. It is a registry update on
 * the ledger (`registry:AddOrganisationCentre`), no channel config change: the organisation's client
 * submits it, its own peer and the regulator's endorse (the chaincode's policy needs two
 * organisations; the chaincode refuses any caller but the organisation itself). The centre then gets
 * an operator key at the organisation's gateway, which is restarted to load it.
 */

export interface NewCentre {
  readonly organisation: string;
  readonly code: string;
  readonly name: string;
}

/** A refused `centre:add` argument; the message names the flag. */
export class CentreAddError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CentreAddError';
  }
}

function organisationOf(consortium: Consortium, centre: NewCentre): OrgDefinition {
  const org = consortium.centres.find((o) => o.mspId === centre.organisation);
  if (org === undefined) {
    const members = consortium.centres.map((o) => o.mspId).join(', ');
    throw new CentreAddError(
      `--organisation: ${centre.organisation} is not a member organisation (${members})`,
    );
  }
  if (!isCentreCode(centre.code)) {
    throw new CentreAddError(`--code: ${centre.code} is not a known GB/T 2260 centre code`);
  }
  if (centre.code.slice(0, 2) !== org.code?.slice(0, 2)) {
    throw new CentreAddError(
      `--code: ${centre.code} is not in the province of ${org.mspId} (${org.code ?? ''})`,
    );
  }
  const name = centre.name.trim();
  if (name === '' || name.length > 100) {
    throw new CentreAddError('--name: must be 1-100 characters');
  }
  return org;
}

/**
 * Adds the centre on the running consortium's ledger (idempotent: the same centre again is a replay),
 * records it in the data dir and gives it an operator key at its organisation's gateway.
 * @returns the operator key of the new centre.
 */
export async function addCentreToOrganisation(
  consortium: Consortium,
  layout: Layout,
  centre: NewCentre,
  log: (line: string) => void,
): Promise<string> {
  const org = organisationOf(consortium, centre);
  const entry = { code: centre.code, mspId: org.mspId, name: centre.name.trim() };
  await withOrg(layout, org, async ({ gateway }) => {
    const contract = gateway
      .getNetwork(consortium.channel)
      .getContract(consortium.chaincode.name, 'registry');
    await contract.submit('AddOrganisationCentre', {
      arguments: [JSON.stringify(entry)],
      endorsingOrganizations: [org.mspId, consortium.regulator.mspId],
    });
  });
  log(`registered ${entry.code} (${entry.name}) to ${org.mspId} on the ledger`);
  if (
    !readAddedCentres(layout).some((c) => c.code === entry.code) &&
    !org.centres.some((c) => c.code === entry.code)
  ) {
    recordAddedCentre(layout, entry);
  }
  const keys = ensureApiKeys(consortium, layout)[org.mspId];
  const key = org.centres[0]?.code === entry.code ? keys?.operator : keys?.centres?.[entry.code];
  if (key === undefined) throw new Error(`no operator key was made for ${entry.code}`);
  await reloadGateway(consortium, layout, org, log);
  return key;
}

/** Restarts the organisation's gateway, if it runs, so that it loads the new key's hash. */
async function reloadGateway(
  consortium: Consortium,
  layout: Layout,
  org: OrgDefinition,
  log: (line: string) => void,
): Promise<void> {
  const name = gatewayProcessName(org);
  if (runningProcess(layout.root, name) === null) {
    log(`${name} is not running: it loads the key when it starts`);
    return;
  }
  await stopProcess(layout.root, name);
  // Under `npm start` the supervisor restarts it; otherwise this command does.
  if (runningProcess(layout.root, SUPERVISOR_NAME) === null) startGateway({ consortium, layout }, org);
  await waitGatewayReady(org, undefined, layout);
  log(`${name} restarted with the new centre's key`);
}
