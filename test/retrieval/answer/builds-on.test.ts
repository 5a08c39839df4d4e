/**
 * A clause building on another of its instrument (…在享受本办法第二条优惠政策的基础上，另予以…) gives the extra of a
 * narrower case; asked about the general case, the clause it names leads (the base provision), as long as that clause
 * covers the question as well. Constructed document, no dev question.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { corpusWith, type OpenedSnapshot } from '../../helpers.js';

const MEASURES = [
  '测试市促进软件产业发展办法',
  '',
  '第一条 为促进软件产业发展，制定本办法。',
  '第二条 对使用公共云平台云服务的企业，第一年服务费予以全额服务费用60%的补贴，最高不超过50万元。',
  '第三条 入驻孵化基地的初创企业使用公共云平台云服务的，在享受本办法第二条优惠政策的基础上，另予以每月1000元补贴。',
  '第四条 本办法自2020年1月1日起施行。',
  '',
].join('\n');

let opened: OpenedSnapshot;
beforeAll(async () => {
  opened = await corpusWith({ 'software.txt': MEASURES });
}, 180_000);

describe('a clause building on another', () => {
  it('leads with the clause named (第二条) when the question asks the general case', async () => {
    const { answer } = await opened.service.ask('测试市企业用公共云平台云服务能补贴多少？');
    expect(answer.citations[0]?.clause).toBe('第二条');
  });

  it('keeps the narrower clause first when the question asks its case', async () => {
    const { answer } = await opened.service.ask('测试市孵化基地的初创企业用公共云平台云服务，每月另外补贴多少？');
    expect(answer.citations[0]?.clause).toBe('第三条');
  });
});
