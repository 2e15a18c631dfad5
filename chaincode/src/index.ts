import { AuditContract } from './audit-contract';
import { BanContract } from './ban-contract';
import { CertificateContract } from './certificate-contract';
import { MetaContract } from './meta-contract';
import { RegistryContract } from './registry-contract';
import { TransferContract } from './transfer-contract';
import { WithdrawalContract } from './withdrawal-contract';

export {
  AuditContract,
  BanContract,
  CertificateContract,
  MetaContract,
  RegistryContract,
  TransferContract,
  WithdrawalContract,
};

/** fabric-chaincode-node reads this list; the first contract is the default one. */
export const contracts = [
  MetaContract,
  RegistryContract,
  TransferContract,
  WithdrawalContract,
  AuditContract,
  CertificateContract,
  BanContract,
];
