import { describe, expect, it } from "vitest";
import { CsvError, firstInvalidUtf8, parseCsv, parseCsvBatches, type CsvRecord } from "../../shared/ingest/csv.js";

async function* chunksOf(bytes: Uint8Array, sizes: number[] | number): AsyncGenerator<Uint8Array> {
  let pos = 0;
  let i = 0;
  while (pos < bytes.length) {
    const size = typeof sizes === "number" ? sizes : sizes[i++ % sizes.length];
    yield bytes.subarray(pos, pos + size);
    pos += size;
  }
}

async function parseAll(input: string | Uint8Array, chunkSize: number | number[] = 65536): Promise<CsvRecord[]> {
  const bytes = typeof input === "string" ? Buffer.from(input, "utf8") : input;
  const out: CsvRecord[] = [];
  for await (const r of parseCsv(chunksOf(bytes, chunkSize))) out.push(r);
  return out;
}

async function parseError(input: string | Uint8Array, chunkSize = 65536): Promise<CsvError> {
  try {
    await parseAll(input, chunkSize);
  } catch (err) {
    if (err instanceof CsvError) return err;
    throw err;
  }
  throw new Error("expected a CsvError");
}

describe("CSV parser", () => {
  it("reads plain LF records with the line each starts on", async () => {
    expect(await parseAll("a,b,c\n1,2,3\n4,5,6\n")).toEqual([
      { line: 1, fields: ["a", "b", "c"] },
      { line: 2, fields: ["1", "2", "3"] },
      { line: 3, fields: ["4", "5", "6"] },
    ]);
  });

  it("reads CRLF files and a last line without a line break", async () => {
    expect(await parseAll("a,b\r\n1,2\r\n3,4")).toEqual([
      { line: 1, fields: ["a", "b"] },
      { line: 2, fields: ["1", "2"] },
      { line: 3, fields: ["3", "4"] },
    ]);
  });

  it("accepts a UTF-8 byte order mark so Excel exports load", async () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const records = await parseAll(Buffer.concat([bom, Buffer.from("tenantId,name\nx,Zoë\n")]));
    expect(records[0].fields).toEqual(["tenantId", "name"]);
    expect(records[1].fields).toEqual(["x", "Zoë"]);
  });

  it("keeps commas, doubled quotes and line breaks inside quoted fields and counts the physical lines", async () => {
    const text = 'id,note\n1,"a, b"\n2,"say ""hi"""\n3,"two\nlines\r\nhere"\n4,last\n';
    expect(await parseAll(text)).toEqual([
      { line: 1, fields: ["id", "note"] },
      { line: 2, fields: ["1", "a, b"] },
      { line: 3, fields: ["2", 'say "hi"'] },
      { line: 4, fields: ["3", "two\nlines\r\nhere"] },
      { line: 7, fields: ["4", "last"] },
    ]);
  });

  it("keeps empty fields, including quoted empty fields and trailing commas", async () => {
    expect(await parseAll('a,,"",d,\n')).toEqual([{ line: 1, fields: ["a", "", "", "d", ""] }]);
  });

  it("skips blank lines but still numbers the lines after them", async () => {
    expect(await parseAll("h\n\nx\r\n\r\ny\n\n")).toEqual([
      { line: 1, fields: ["h"] },
      { line: 3, fields: ["x"] },
      { line: 5, fields: ["y"] },
    ]);
  });

  it("gives the same records whatever the chunk boundaries (every split point of a tricky file)", async () => {
    const text = '\ufeffid,note,n\r\n1,"a ""q"", b\r\nc",Zoë €𝄞\n2,plain,"x"\r\n\n3,"",\n4,"end"';
    const bytes = Buffer.from(text, "utf8");
    const expected = await parseAll(bytes);
    expect(expected.map((r) => r.line)).toEqual([1, 2, 4, 6, 7]);
    for (let split = 1; split < bytes.length; split++) {
      const records = await parseAll(bytes, [split, bytes.length]);
      expect(records, `split at ${split}`).toEqual(expected);
    }
    expect(await parseAll(bytes, 1)).toEqual(expected);
    expect(await parseAll(bytes, [2, 3, 5, 7])).toEqual(expected);
  });

  it("reports text after a closing quote as a problem of that row and carries on", async () => {
    const records = await parseAll('a,b\n"x"y,2\n3,4\n');
    expect(records[1]).toEqual({ line: 2, fields: ["xy", "2"], problem: "field 1 has text after its closing quote" });
    expect(records[2]).toEqual({ line: 3, fields: ["3", "4"] });
  });

  it("rejects an unterminated quote naming the line where the quote opened", async () => {
    const err = await parseError('a,b\n1,2\n3,"open\nmore\n4,5\n');
    expect(err.code).toBe("unterminated_quote");
    expect(err.line).toBe(3);
    expect(err.message).toContain("line 3");
  });

  it("names the right line for an unterminated quote after a multi-line quoted field", async () => {
    const err = await parseError('a,b\n1,"x\ny",3,"open\n', 4);
    expect(err.code).toBe("unterminated_quote");
    expect(err.line).toBe(3);
  });

  it("stops a quote that never closes before it fills memory", async () => {
    const text = 'a,b\n1,"' + "x".repeat(5000) + "\n";
    const bytes = Buffer.from(text);
    const out: CsvRecord[] = [];
    await expect(
      (async () => {
        for await (const batch of parseCsvBatches(chunksOf(bytes, 256), { maxRecordChars: 1000 })) out.push(...batch);
      })(),
    ).rejects.toMatchObject({ code: "unterminated_quote", line: 2 });
  });

  it("rejects bytes that are not UTF-8 naming the line they are on", async () => {
    const bytes = Buffer.concat([Buffer.from("a,b\n1,2\n3,caf"), Buffer.from([0xe9]), Buffer.from(",x\n4,5\n")]);
    const err = await parseError(bytes);
    expect(err.code).toBe("invalid_utf8");
    expect(err.line).toBe(3);
    expect(err.message).toContain("line 3");
    // The same defect found in a later chunk still names its line.
    const late = await parseError(bytes, 5);
    expect(late.line).toBe(3);
  });

  it("rejects a file that ends inside a multi-byte character", async () => {
    const err = await parseError(Buffer.concat([Buffer.from("a\nb"), Buffer.from([0xe2, 0x82])]));
    expect(err.code).toBe("invalid_utf8");
  });

  it("locates the first invalid UTF-8 byte (overlong, surrogate and stray bytes)", () => {
    expect(firstInvalidUtf8(Buffer.from("héllo €"))).toBe(-1);
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xc0, 0x80]))).toBe(1);
    expect(firstInvalidUtf8(Buffer.from([0x61, 0x62, 0xed, 0xa0, 0x80]))).toBe(2);
    expect(firstInvalidUtf8(Buffer.from([0x80]))).toBe(0);
  });

  it("streams hundreds of thousands of rows across chunk boundaries, numbering every line (speed: npm run bench)", async () => {
    const line = "0f8fad5b-d9cb-469f-a165-70867728950e,2026-03,Exchange,120,97\n";
    const rows = 200_000;
    const block = Buffer.from(line.repeat(1000));
    async function* source() {
      yield Buffer.from("tenantId,month,workload,assignedUsers,activeUsers\n");
      for (let i = 0; i < rows / 1000; i++) yield block;
    }
    let count = 0;
    let lastLine = 0;
    for await (const batch of parseCsvBatches(source())) {
      count += batch.length;
      lastLine = batch[batch.length - 1].line;
    }
    expect(count).toBe(rows + 1);
    expect(lastLine).toBe(rows + 1);
  });
});

describe("line endings", () => {
  it("reads a file whose lines end in CR alone as lines, with their line numbers", async () => {
    const records = await parseAll("tenantId,tenantName\rt1,Contoso\rt2,\"Fab\rrikam\"\r", [5, 7]);
    expect(records.map((r) => [r.line, r.fields])).toEqual([
      [1, ["tenantId", "tenantName"]],
      [2, ["t1", "Contoso"]],
      [3, ["t2", "Fab\nrikam"]],
    ]);
  });

  it("keeps a CR inside a line of a file with LF or CRLF line ends as it is", async () => {
    const records = await parseAll('a,b\r\n"x\ry",z\r\n');
    expect(records.map((r) => r.fields)).toEqual([["a", "b"], ["x\ry", "z"]]);
  });
});
