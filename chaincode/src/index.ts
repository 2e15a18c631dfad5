import { MetaContract } from './meta-contract';

export { MetaContract };

/** fabric-chaincode-node reads this list; the first contract is the default one. */
export const contracts = [MetaContract];
