/**
 * Reading tag CSVs (main/config/tag-csv.ts) as spreadsheets and PLC tools write them, and mapping
 * rows onto a project's tags (main/config/tag-import.ts): separators, quoting, BOM, address forms,
 * and bad rows reported by line and column.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseProjectText } from '../../main/config/project-loader';
import { formatCsvIssue, formatTagCsv, parseTagCsv, sniffDelimiter } from '../../main/config/tag-csv';
import { importTagCsv, TagImportRefused } from '../../main/config/tag-import';

const project = `# a small line
version: 1
name: Test line
devices:
  - { id: plc, protocol: modbus-tcp, host: 127.0.0.1 }
  - { id: ua, protocol: opcua, endpoint: "opc.tcp://127.0.0.1:4840" }
tags:
  # speed, from the PLC
  - { id: T1, device: plc, address: HR10, dataType: float32, units: m/min } # keep me
  - { id: T2, device: ua, address: "ns=1;s=Line.Speed", dataType: float64 }
alarms:
  definitions: []
`;

function importInto(csvText: string, text = project): ReturnType<typeof importTagCsv> {
  return importTagCsv({ projectText: text, projectFile: 'line.yaml', csvText, csvFile: 'tags.csv' });
}

function refused(csvText: string, text = project): TagImportRefused {
  try {
    importInto(csvText, text);
  } catch (err) {
    if (err instanceof TagImportRefused) return err;
    throw err;
  }
  assert.fail('the import was not refused');
}

test('1. comma and semicolon files read the same; the separator is the header line’s', () => {
  const comma = 'id,device,address,dataType,units,scanMs\nA1,plc,HR20,int16,bar,500\n';
  const semi = 'id;device;address;dataType;units;scanMs\nA1;plc;HR20;int16;bar;500\n';
  assert.equal(sniffDelimiter(comma), ',');
  assert.equal(sniffDelimiter(semi), ';');
  assert.equal(sniffDelimiter('id\tdevice\taddress\n'), '\t');
  // a separator inside quotes does not count: this header has one ; column and two quoted commas
  assert.equal(sniffDelimiter('"id, the tag";"a,b"\n'), ';');
  for (const text of [comma, semi]) {
    const r = parseTagCsv(text);
    assert.deepEqual(r.issues, []);
    assert.equal(r.rows.length, 1);
    assert.equal(r.rows[0].line, 2);
    assert.equal(r.rows[0].cells.get('units')?.value, 'bar');
    assert.equal(r.rows[0].cells.get('scanMs')?.value, 500);
  }
});

test('2. quoted fields keep separators, quotes and line breaks; line numbers count the lines a record spans', () => {
  const text = 'id,device,address,dataType,description\r\n' +
    'A1,plc,HR20,int16,"first line\r\nsecond, with comma; and ""quotes"""\r\n' +
    '\r\n' +
    'A2,plc,HR21,int16,plain\r\n' +
    'A3,plc,HR22,int16,"a\nb\nc"\n' +
    'A4,plc,HR23,int99,x\n';
  const r = parseTagCsv(text);
  assert.equal(r.rows[0].cells.get('description')?.value, 'first line\nsecond, with comma; and "quotes"');
  assert.deepEqual(r.rows.map((x) => [x.id, x.line]), [['A1', 2], ['A2', 5], ['A3', 6]]);
  // A4 starts on line 9: 1 header + 2 (A1) + 1 blank + 1 (A2) + 3 (A3)
  assert.deepEqual(r.issues.map((i) => [i.line, i.column, i.field]), [[9, 4, 'dataType']]);
});

test('3. a BOM, any header spelling, PLC type names and decimal commas in a semicolon file', () => {
  const text = '\uFEFF"Tag ID";Device;Address;Data Type;Word_Order;Units;Scan Rate;Min;Max;Writable\n' +
    'A1;plc;HR20;REAL;cdab;°C;1000;-12,5;150,0;yes\n';
  const r = parseTagCsv(text);
  assert.deepEqual(r.issues, []);
  const c = r.rows[0].cells;
  assert.equal(r.rows[0].id, 'A1', 'the BOM is not part of the first header');
  assert.equal(c.get('dataType')?.value, 'float32');
  assert.equal(c.get('wordOrder')?.value, 'CDAB');
  assert.equal(c.get('min')?.value, -12.5);
  assert.equal(c.get('max')?.value, 150);
  assert.equal(c.get('writable')?.value, true);
  // in a comma file "12,5" would be two fields; quoted it is not a number
  const comma = parseTagCsv('id,device,address,dataType,min\nA1,plc,HR1,int16,"12,5"\n');
  assert.match(comma.issues[0]?.message ?? '', /"12,5" is not a number/);
});

test('4. Modbus addresses: HR10, 400011 (6 digits) and 40011 (5 digits) are one register, written HR10', () => {
  const csv = (address: string) => `id,device,address,dataType\nN1,plc,${address},float32\n`;
  for (const form of ['HR30', 'hr30', '400031', '40031']) {
    const { text, report } = importInto(csv(form));
    assert.deepEqual(report.added, ['N1'], form);
    const tag = parseProjectText(text).tags.find((t) => t.id === 'N1')!;
    assert.equal(tag.address, 'HR30', form);
  }
  // the other areas: 3x input registers, 0x coils, 1x discrete inputs (1-based classic references)
  const { text } = importInto('id,device,address,dataType\nI1,plc,300001,int16\nC1,plc,000005,bool\nD1,plc,10003,bool\nB1,plc,400011.3,bool\n');
  const tags = parseProjectText(text).tags;
  assert.deepEqual(['I1', 'C1', 'D1', 'B1'].map((id) => tags.find((t) => t.id === id)?.address), ['IR0', 'CO4', 'DI2', 'HR10.3']);
  // the same register in another form is no change, and the file keeps its own spelling
  const same = importInto('id,device,address,dataType,units\nT1,plc,400011,float32,m/min\n');
  assert.deepEqual(same.report.unchanged, ['T1']);
  assert.equal(same.text, project);
  // a classic reference 0 and a register past 65535 are refused, naming the cell
  const bad = refused('id,device,address,dataType\nN1,plc,400000,int16\nN2,plc,HR70000,int16\n');
  assert.deepEqual(bad.issues.map((i) => formatCsvIssue('tags.csv', i)), [
    'tags.csv:2:3 address: classic reference 400000 is 1-based: 400001 is the first',
    'tags.csv:3:3 address: address 70000 is beyond 65535',
  ]);
});

test('5. every bad row is named by line and column, and nothing is imported', () => {
  const err = refused(
    'id;device;address;dataType;scanMs;writable;min;max\n' +
      'G1;plc;HR40;int16;500;no;0;100\n' + // good
      'B1;nodev;HR41;int16;500;no;;\n' + // unknown device
      'B2;plc;HR42;float99;fast;maybe;;\n' + // three bad cells
      'B3;plc;IR3;int16;500;yes;;\n' + // writable input register
      'B4;plc;HR44;int16;500;no;10;5\n' + // min >= max
      'B5;ua;HR45;int16;500;no;;\n' + // not a NodeId
      'G1;plc;HR46;int16;500;no;;\n' + // duplicate id
      'B6;plc;HR47;int16;10;no;;\n', // scan too fast for the schema
  );
  assert.deepEqual(err.issues.map((i) => [i.line, i.column, i.field]), [
    [3, 2, 'device'],
    [4, 4, 'dataType'],
    [4, 5, 'scanMs'],
    [4, 6, 'writable'],
    [5, 6, 'writable'],
    [6, 8, 'max'],
    [7, 3, 'address'],
    [8, 1, 'id'],
    [9, 5, 'scanMs'],
  ]);
  assert.match(err.issues[0].message, /unknown device "nodev" \(devices: plc, ua\)/);
  assert.match(err.issues[4].message, /read-only/);
  assert.match(err.issues[7].message, /also on line 2/);
});

test('6. the header: unknown and repeated columns, no id, a partial scaling; an unclosed quote names its record’s line', () => {
  const h = parseTagCsv('id,device,colour,device\nA,plc,red,plc\n');
  assert.deepEqual(h.issues.map((i) => [i.line, i.column, i.field]), [[1, 3, 'colour'], [1, 4, 'device']]);
  assert.match(h.issues[0].message, /unknown column "colour" \(columns: id, name, device/);
  assert.match(parseTagCsv('device,address\nplc,HR1\n').issues[0].message, /no id column/);
  assert.match(parseTagCsv('id,rawMin,rawMax\nA,0,1\n').issues[0].message, /scaling needs all four columns .* \(missing: engMin, engMax\)/);
  const q = parseTagCsv('id,description\nA,ok\nB,"never closed\nC,x\n');
  assert.equal(q.issues.length, 1);
  assert.equal(q.issues[0].line, 3);
  assert.match(q.issues[0].message, /Quote Not Closed/);
  assert.match(parseTagCsv('\n\n').issues[0].message, /no header line/);
});

test('7. columns the file has replace those fields, an empty cell removes one, absent columns are left alone', () => {
  const { text, report } = importInto(
    'id,units,rawMin,rawMax,engMin,engMax,normalHigh\n' +
      'T1,,0,1000,0,100,80\n' + // units removed, scaling and normal added
      'T2,m/s,,,,,\n',
  );
  assert.deepEqual(report.changed, [
    { id: 'T1', fields: ['units', 'scaling', 'normal'] },
    { id: 'T2', fields: ['units'] },
  ]);
  const [t1, t2] = parseProjectText(text).tags;
  assert.equal(t1.units, '');
  assert.deepEqual(t1.scaling, { rawMin: 0, rawMax: 1000, engMin: 0, engMax: 100 });
  assert.deepEqual(t1.normal, { high: 80 });
  assert.equal(t1.address, 'HR10', 'address column absent: kept');
  assert.equal(t2.units, 'm/s');
  // A row with only part of the scaling is refused at the empty cells.
  const err = refused('id,rawMin,rawMax,engMin,engMax\nT1,0,10,,\n');
  assert.deepEqual(err.issues.map((i) => [i.line, i.column]), [[2, 4], [2, 5]]);
  // a new tag needs its device, address and data type
  const need = refused('id,units\nNEW,bar\n');
  assert.deepEqual(need.issues.map((i) => i.message), [
    'a new tag needs its device (the file has no such column)',
    'a new tag needs its address (the file has no such column)',
    'a new tag needs its dataType (the file has no such column)',
  ]);
});

test('8. comments and layout are kept: only changed tags are rewritten, in their own style; new tags follow the last', () => {
  const { text, report } = importInto('id,device,address,dataType,units\nT2,ua,ns=1;s=Line.Speed,float64,m/s\nT3,plc,HR12,"float32",bar\n');
  assert.deepEqual(report, { added: ['T3'], changed: [{ id: 'T2', fields: ['units'] }], unchanged: [], notInCsv: ['T1'] });
  assert.equal(
    text,
    project.replace(
      '  - { id: T2, device: ua, address: "ns=1;s=Line.Speed", dataType: float64 }\n',
      '  - { id: T2, device: ua, address: "ns=1;s=Line.Speed", dataType: float64, units: m/s }\n' +
        '  - { id: T3, device: plc, address: HR12, dataType: float32, units: bar }\n',
    ),
  );
  // A block-style tag list gets block-style tags.
  const block = `version: 1
name: Block
devices:
  - { id: plc, protocol: modbus-tcp, host: 127.0.0.1 }
tags:
  - id: T1
    device: plc # the filler
    address: HR10
    dataType: int16

# end of tags
`;
  const b = importInto('id,device,address,dataType,units\nT1,plc,HR10,int16,bar\nT2,plc,HR11,int16,\n', block);
  assert.equal(
    b.text,
    block.replace(
      '    dataType: int16\n',
      '    dataType: int16\n    units: bar\n  - id: T2\n    device: plc\n    address: HR11\n    dataType: int16\n',
    ),
  );
});

test('9. the whole project as it would be is checked too: a row that breaks another section is refused', () => {
  const withRule = project.replace('alarms:\n  definitions: []\n', 'alarms:\n  definitions: []\nsecurity:\n  signatures:\n    - { action: tags.write, tags: [T1], meaning: performed }\n')
    .replace('units: m/min }', 'units: m/min, writable: true }');
  assert.doesNotThrow(() => parseProjectText(withRule));
  const err = refused('id,writable\nT1,false\n', withRule);
  assert.deepEqual(err.issues, []);
  assert.equal(err.projectIssues.length, 1);
  assert.match(err.projectIssues[0], /security\.signatures\[0\]\.tags\[0\]: "T1" is not a writable tag/);
});

test('10. export writes every column; reading it back gives the same values', () => {
  const tags = parseProjectText(project.replace('units: m/min }', 'units: m/min, description: "with, comma\\nand a line", scaling: { rawMin: 0, rawMax: 10, engMin: 0, engMax: 1 } }')).tags;
  for (const delimiter of [',', ';', '\t'] as const) {
    const csv = formatTagCsv(tags, { delimiter, bom: true });
    assert.ok(csv.startsWith('\uFEFFid'));
    const r = parseTagCsv(csv);
    assert.deepEqual(r.issues, []);
    assert.equal(r.delimiter, delimiter);
    assert.equal(r.rows.length, tags.length, 'a line break inside a cell does not start a row');
    assert.equal(r.rows[0].cells.get('description')?.value, 'with, comma\nand a line');
    assert.equal(r.rows[0].cells.get('rawMax')?.value, 10);
    assert.equal(r.rows[1].cells.get('address')?.value, 'ns=1;s=Line.Speed');
  }
});
