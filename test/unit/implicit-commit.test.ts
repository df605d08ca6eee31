// MySQL's implicit commits: which statements cause one (what a Transaction then reports is tested on MariaDB itself).
import { describe, expect, test } from 'vitest';
import { commitsImplicitly, implicitCommits } from '../../src/core/sql/implicit-commit.ts';

describe('commitsImplicitly', () => {
  test.each([
    ['CREATE TABLE t (a INT)', true],
    ['  create index i on t(a)', true],
    ['-- a comment\nALTER TABLE t ADD b INT', true],
    ['/* leading */ DROP TABLE t', true],
    ['/*!40101 CREATE TABLE t (a INT) */', true],
    ['RENAME TABLE a TO b', true],
    ['TRUNCATE t', true],
    ['LOCK TABLES t WRITE', true],
    ['UNLOCK TABLES', true],
    ['GRANT SELECT ON db.* TO u', true],
    ['START TRANSACTION', true],
    ['BEGIN', true],
    ['COMMIT', true],
    ['ANALYZE TABLE t', true],
    ["SET PASSWORD = 'x'", true],
    ['CREATE TEMPORARY TABLE t (a INT)', false],
    ['DROP TEMPORARY TABLE t', false],
    ['BEGIN NOT ATOMIC SELECT 1; END', false],
    ['INSERT INTO t VALUES (1)', false],
    ['UPDATE t SET a = 1', false],
    ['SELECT 1', false],
    ['(SELECT 1)', false],
    ['SET @x = 1', false],
    ['WITH c AS (SELECT 1) SELECT * FROM c', false],
    ['-- CREATE TABLE in a comment only\nSELECT 1', false],
  ])('%s → %s', (sql, expected) => {
    expect(commitsImplicitly(sql)).toBe(expected);
  });

  test('a script: its statements and the last that commits', () => {
    expect(implicitCommits("INSERT INTO a VALUES (';'); CREATE TABLE b (x INT); INSERT INTO b VALUES (1)")).toEqual({
      statements: ["INSERT INTO a VALUES (';')", 'CREATE TABLE b (x INT)', 'INSERT INTO b VALUES (1)'],
      last: 1,
    });
    expect(implicitCommits('SELECT 1').last).toBe(-1);
  });
});

describe('comments inside the head of a statement', () => {
  test('are skipped when reading its first words', () => {
    expect(commitsImplicitly('CREATE /* scratch */ TEMPORARY TABLE t (id INT)')).toBe(false);
    expect(commitsImplicitly('/* why */ CREATE -- a table\n TABLE t (id INT)')).toBe(true);
    expect(commitsImplicitly('((SELECT 1))')).toBe(false);
  });
});
