import { parquetReadObjects } from 'hyparquet';
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import type { ColumnType } from '../services/exports/exports.ts';
import { isPartial, nextPartName, parquetSchemaFor, toColumnData, toColumnValue } from './parquet-export.ts';

describe('parquet export values', () => {
  it.each<[ColumnType, unknown, unknown]>([
    ['STRING', 'rwd_01', 'rwd_01'],
    ['INT64', 1500, 1500n],
    ['INT64', '-9007199254740993', -9007199254740993n],
    ['INT64', 7n, 7n],
    ['TIMESTAMP', '2025-03-01T12:00:00.123Z', new Date('2025-03-01T12:00:00.123Z')],
    ['TIMESTAMP', new Date(5), new Date(5)],
    ['JSON', '{"n":1,"a":[true]}', { n: 1, a: [true] }],
    ['JSON', '"text"', 'text'],
  ])('turns a %s column value %o into %o', (type, value, expected) => {
    expect(toColumnValue(type, value)).toEqual(expected);
  });

  it.each<ColumnType>(['STRING', 'INT64', 'TIMESTAMP', 'JSON'])('keeps null in %s', (type) => {
    expect(toColumnValue(type, null)).toBeNull();
    expect(toColumnValue(type, undefined)).toBeNull();
  });

  it.each<[ColumnType, unknown, string]>([
    ['INT64', 1.5, 'amount: 1.5 is not an integer'],
    ['INT64', '12abc', 'amount: 12abc is not an integer'],
    ['TIMESTAMP', 'yesterday', 'amount: yesterday is not a time'],
    ['JSON', '{broken', 'amount: stored text is not JSON'],
  ])('refuses a %s value %o, naming the column', (type, value, message) => {
    expect(() => toColumnValue(type, value, 'amount')).toThrow(message);
  });

  it('writes typed columns that a reader returns as the same values', async () => {
    const columns = [
      ['id', 'STRING'],
      ['amount', 'INT64'],
      ['created_at', 'TIMESTAMP'],
      ['payload', 'JSON'],
    ] as const;
    const rows = [
      { id: 'led_1', amount: -250, created_at: '2025-01-02T03:04:05.678Z', payload: '{"k":"v"}' },
      { id: 'led_2', amount: null, created_at: null, payload: null },
    ];
    const out = new ByteWriter();
    const writer = new ParquetWriter({ writer: out, schema: parquetSchemaFor(columns) });
    await writer.write({ columnData: toColumnData(columns, rows), rowGroupSize: rows.length });
    await writer.finish();
    const read = await parquetReadObjects({ file: out.getBuffer() });
    expect(read).toEqual([
      { id: 'led_1', amount: -250n, created_at: new Date('2025-01-02T03:04:05.678Z'), payload: { k: 'v' } },
      { id: 'led_2', amount: null, created_at: null, payload: null },
    ]);
  });
});

describe('parquet part names', () => {
  it.each([
    [[], 'part-00001.parquet'],
    [['.cursor', 'part-00001.parquet', 'part-00002.parquet'], 'part-00003.parquet'],
    [['part-00009.parquet', 'part-00002.parquet'], 'part-00010.parquet'],
    [['part-99999.parquet'], 'part-100000.parquet'],
    // A half-written part is deleted before the next name is taken, so it never counts.
    [['part-00001.parquet', 'part-00002.parquet.partial', 'notes.txt'], 'part-00002.parquet'],
  ])('after %j comes %s', (names, next) => {
    expect(nextPartName(names)).toBe(next);
  });

  it('tells a half-written file from a complete one', () => {
    expect(isPartial('part-00002.parquet.partial')).toBe(true);
    expect(isPartial('.cursor.partial')).toBe(true);
    expect(isPartial('part-00002.parquet')).toBe(false);
  });
});
