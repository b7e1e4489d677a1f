/**
 * The project file's `instructions:` section (docs/instructions.md): where the instruction
 * folders are, and which roles approve a version.
 *
 *   instructions:
 *     folder: instructions            # relative to the project file
 *     approvals: [engineer, supervisor]
 */
import { z } from 'zod';

const roleName = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'a role name');

/** The project file's `instructions:` section. */
export const instructionsSectionSchema = z
  .object({
    /** the folder of instruction folders, relative to the project file */
    folder: z.string().min(1).max(300).default('instructions'),
    /** roles that must each approve a version before it can be released */
    approvals: z.array(roleName).min(1).max(5).default(['engineer', 'supervisor']),
  })
  .strict()
  .default({ folder: 'instructions', approvals: ['engineer', 'supervisor'] });

export type InstructionsSection = z.output<typeof instructionsSectionSchema>;
