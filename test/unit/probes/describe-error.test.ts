import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describePgError } from '../../../src/probes/pg/describe-error.ts';

const T = 'u@db1:5432/d';
const cases: Array<[string, unknown, RegExp]> = [
  ['refused', Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:5432'), { code: 'ECONNREFUSED' }), /^connection refused at u@db1:5432\/d \(is PostgreSQL running\?\)$/],
  ['unknown host', Object.assign(new Error('getaddrinfo ENOTFOUND db1'), { code: 'ENOTFOUND' }), /host name not found/],
  ['connect timeout', new Error('Connection terminated due to connection timeout'), /no answer to connect within the timeout/],
  ['hung query', new Error('Query read timeout'), /the probe query hung and was abandoned/],
  ['server closed', new Error('Connection terminated unexpectedly'), /connection lost/],
  ['auth (server text kept)', Object.assign(new Error('password authentication failed for user "u"'), { code: '28P01' }), /^password authentication failed for user "u"$/],
  ['starting up', Object.assign(new Error('the database system is starting up'), { code: '57P03' }), /starting up/],
  ['statement timeout', Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }), /statement timeout/],
  ['multi-line message: first line only', new Error('first line\nDETAIL: second'), /^first line$/],
  ['not an Error', 'plain string', /^plain string$/],
];
for (const [name, err, want] of cases) test(name, () => assert.match(describePgError(err, T), want));
