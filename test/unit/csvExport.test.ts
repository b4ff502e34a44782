import { describe, expect, it } from "vitest";
import {
  cloudEndpointsCsv,
  cloudEndpointsCsvColumns,
  csvRowLine,
  exportFileName,
  formatCell,
  neutraliseFormula,
  quoteField,
  toByteStream,
  utf8Bom,
} from "../../shared/export/csv.js";
import { cloudEndpointsColumns, type CloudEndpointsRow } from "../../shared/domain/cloudEndpoints/index.js";

async function* pagesOf(...pages: Partial<CloudEndpointsRow>[][]) {
  for (const page of pages) yield page;
}

async function collect(chunks: AsyncIterable<string>): Promise<string> {
  let text = "";
  for await (const c of chunks) text += c;
  return text;
}

describe("CSV export", () => {
  it("starts with a UTF-8 BOM and the seed's column headers, CRLF line ends", async () => {
    const text = await collect(cloudEndpointsCsv(pagesOf([]), cloudEndpointsCsvColumns("default")));
    expect(text.startsWith(utf8Bom)).toBe(true);
    const header = text.slice(1);
    expect(header.endsWith("\r\n")).toBe(true);
    expect(header.trimEnd().split(",")).toEqual(cloudEndpointsColumns.filter((c) => !c.hidden).map((c) => c.header));
    expect(header).toContain("Tenant Name,Tenant ID,Tenant Domain");
    expect(header).not.toContain("ME5 Seats");
  });

  it("adds the hidden columns only when asked", () => {
    const all = cloudEndpointsCsvColumns("all").map((c) => c.header);
    expect(all).toEqual(cloudEndpointsColumns.map((c) => c.header));
    expect(all.slice(-6)).toEqual(["Customer Sub-Segment", "Industry/Vertical", "ME5 Seats", "ME3 Seats", "F3 Seats", "Windows PAU"]);
  });

  it("quotes fields with commas, quotes, CR or LF and doubles quotes (RFC 4180)", () => {
    expect(quoteField("plain")).toBe("plain");
    expect(quoteField("a,b")).toBe('"a,b"');
    expect(quoteField('say "hi"')).toBe('"say ""hi"""');
    expect(quoteField("line\nbreak")).toBe('"line\nbreak"');
    expect(quoteField("line\r\nbreak")).toBe('"line\r\nbreak"');
  });

  it.each(["=", "+", "-", "@", "\t", "\r"])("neutralises a text field starting with %j so Excel never runs it", (start) => {
    const cell = formatCell(`${start}HYPERLINK("http://x")`, "tenantName");
    const unquoted = cell.startsWith('"') ? cell.slice(1) : cell;
    expect(unquoted.startsWith(`'${start}`)).toBe(true);
  });

  it("leaves safe text alone and keeps computed negative numbers numeric", () => {
    expect(neutraliseFormula("Contoso")).toBe("Contoso");
    expect(formatCell(-12, "w365Whitespace")).toBe("-12");
    expect(formatCell("-12", "tpid")).toBe("'-12");
  });

  it("writes booleans as Yes/No, lists joined with |, utilisations as percentages, missing as empty", () => {
    expect(formatCell(true, "cporAssociation")).toBe("Yes");
    expect(formatCell(false, "cspAssociation")).toBe("No");
    expect(formatCell(["Windows365", "Intune"], "mciEligibility")).toBe("Windows365|Intune");
    expect(formatCell(0.8534, "intuneUtilization")).toBe("85.3%");
    expect(formatCell(1, "w365Utilization")).toBe("100%");
    expect(formatCell(undefined, "tenantDomain")).toBe("");
    expect(formatCell(1234.5, "potentialEarnings")).toBe("1234.5");
  });

  it("writes one line per row, page after page, in column order", async () => {
    const columns = cloudEndpointsCsvColumns("default").filter((c) => ["tenantName", "w365Pau", "cporAssociation"].includes(c.key));
    const text = await collect(
      cloudEndpointsCsv(pagesOf([{ tenantName: "A, Inc", w365Pau: 3, cporAssociation: true }], [{ tenantName: "=1+1", w365Pau: 0, cporAssociation: false }]), columns),
    );
    expect(text).toBe(`${utf8Bom}Tenant Name,W365 PAU,CPOR Association\r\n"A, Inc",3,Yes\r\n'=1+1,0,No\r\n`);
    expect(csvRowLine({ tenantName: "x" }, columns)).toBe("x,,\r\n");
  });

  it("streams as UTF-8 bytes, pulling one chunk at a time", async () => {
    let pulled = 0;
    async function* chunks() {
      for (const c of ["\uFEFFa", "é\r\n", "z\r\n"]) {
        pulled++;
        yield c;
      }
    }
    const stream = toByteStream(chunks());
    const reader = stream.getReader();
    const first = await reader.read();
    expect(pulled).toBe(1);
    expect(Array.from(first.value!.slice(0, 3))).toEqual([0xef, 0xbb, 0xbf]);
    const rest: number[] = [];
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest.push(...r.value);
    expect(new TextDecoder().decode(new Uint8Array(rest))).toBe("é\r\nz\r\n");
  });

  it("names the file after the partner and the day", () => {
    expect(exportFileName("contoso", new Date("2026-11-23T10:00:00Z"))).toBe("cloud-endpoints-contoso-2026-11-23.csv");
  });

  it("keeps quotes, CR and LF out of the file name, so a partner id can never inject a header", () => {
    const name = exportFileName('evil"\r\nSet-Cookie: a=b', new Date("2026-11-23T10:00:00Z"));
    expect(name).toMatch(/^cloud-endpoints-[a-z0-9-]+-2026-11-23\.csv$/);
  });

  it("neutralises a formula sign after leading whitespace and full-width formula signs", () => {
    for (const text of [" =1+1", "  +1", "\u00A0-1", "\n=HYPERLINK(\"x\")", " @SUM(A1)", "\uFF1D1+1", " \uFF0B1"]) {
      expect(neutraliseFormula(text), JSON.stringify(text)).toBe(`'${text}`);
    }
    for (const text of ["Contoso = Fabrikam", "A-1", "e@mail.example", "  Contoso"]) expect(neutraliseFormula(text)).toBe(text);
  });

  it("stops reading pages when the client cancels the download", async () => {
    let pagesRead = 0;
    let closed = false;
    async function* pages() {
      try {
        for (let n = 0; n < 1000; n++) {
          pagesRead++;
          yield [{ tenantName: `Tenant ${n}` }];
        }
      } finally {
        closed = true;
      }
    }
    const stream = toByteStream(cloudEndpointsCsv(pages(), cloudEndpointsCsvColumns("default")));
    const reader = stream.getReader();
    await reader.read(); // BOM and header
    await reader.read(); // first page
    await reader.cancel();
    expect(closed).toBe(true);
    expect(pagesRead).toBeLessThanOrEqual(2);
  });
});
