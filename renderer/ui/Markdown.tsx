import MarkdownIt from 'markdown-it';
import { useMemo } from 'react';

/**
 * Instruction text as authored (Markdown): paragraphs, emphasis, lists, headings, tables. Raw
 * HTML is not rendered but shown as text (`html: false`), and markdown-it's link check refuses
 * javascript:/data: links, so an instruction file can never inject markup or script.
 */
const md = new MarkdownIt({ html: false, linkify: false, typographer: true, breaks: false });

export function Markdown({ text, className }: { text: string; className?: string }) {
  const html = useMemo(() => md.render(text), [text]);
  // markdown-it with html:false escapes every tag: this HTML holds no markup from the file
  return <div className={className} dangerouslySetInnerHTML={{ __html: html }} />;
}

/** For tests: the HTML a text renders to. */
export function renderMarkdown(text: string): string {
  return md.render(text);
}
