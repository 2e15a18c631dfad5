import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DefinitionError, readJoinedCentres } from '../src/definition';
import {
  apiKeyStoreSchema,
  committedRecordSchema,
  parseState,
  pidRecordSchema,
  readState,
  StateFileError,
  supervisorStateSchema,
} from '../src/state-store';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'hpf-state-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, content: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}

function refusal(fn: () => unknown): StateFileError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(StateFileError);
    return error as StateFileError;
  }
  throw new Error('a corrupt state file was accepted');
}

describe('state store', () => {
  it('reads a valid pid record, filling the optional fields', () => {
    const file = write('peer.json', JSON.stringify({ name: 'peer', pid: 42, command: 'peer' }));
    expect(readState(file, pidRecordSchema)).toEqual({
      name: 'peer',
      pid: 42,
      command: 'peer',
      firstArg: '',
      startedAt: '',
    });
  });

  it('gives null for a file that does not exist', () => {
    expect(readState(path.join(dir, 'absent.json'), committedRecordSchema)).toBeNull();
  });

  it('refuses a torn file (not JSON), naming the file', () => {
    const file = write('committed.json', '{"sequence": 1, "vers');
    const error = refusal(() => readState(file, committedRecordSchema));
    expect(error.file).toBe(file);
    expect(error.field).toBe('(file)');
    expect(error.message).toContain(`${file}: (file): not JSON`);
  });

  it('refuses a pid record whose pid is not a number, naming the field', () => {
    const file = write('orderer.json', JSON.stringify({ name: 'o', pid: 'x', command: 'orderer' }));
    const error = refusal(() => readState(file, pidRecordSchema));
    expect(error.field).toBe('pid');
    expect(error.message).toMatch(new RegExp(`^${file}: pid: `));
  });

  it('refuses a supervisor state with a bad nested field, naming its path', () => {
    const state = {
      supervisorPid: 7,
      phase: 'running',
      updatedAt: 'now',
      processes: [{ name: 'peer', state: 'DANCING', pid: 1, restarts: 0, lastReason: null }],
      restarts: [],
    };
    const file = write('supervisor.json', JSON.stringify(state));
    expect(refusal(() => readState(file, supervisorStateSchema)).field).toBe('processes.0.state');
  });

  it('refuses API keys that are not strings, naming the organisation and role', () => {
    const file = write('api-keys.json', JSON.stringify({ C110000MSP: { operator: 5 } }));
    expect(refusal(() => readState(file, apiKeyStoreSchema)).field).toBe('C110000MSP.operator');
  });

  it("names a tool's output as the source", () => {
    const error = refusal(() =>
      parseState('peer lifecycle chaincode querycommitted', '[]', committedRecordSchema),
    );
    expect(error.message).toContain('peer lifecycle chaincode querycommitted: (file)');
  });

  it('refuses a corrupt joined-centres file as a definition error naming the file and field', () => {
    const file = write('joined-centres.json', JSON.stringify([{ code: '510000', mspId: 'C510000MSP' }]));
    expect(() => readJoinedCentres(dir)).toThrow(DefinitionError);
    expect(() => readJoinedCentres(dir)).toThrow(file);
    expect(() => readJoinedCentres(dir)).toThrow('0.name');
  });
});
