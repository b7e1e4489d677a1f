/**
 * The project file: one YAML document describing connections (devices) and tags.
 * Alarms, trends and instructions are added by later issues as further top-level sections.
 */
import { z } from 'zod';

const id = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z][A-Za-z0-9_.:-]*$/, 'must start with a letter and use only letters, digits, _ . : -');

import { wordOrders, type WordOrder } from '../../shared/modbus-address';
export { wordOrders, type WordOrder };

const deviceCommon = {
  id,
  name: z.string().min(1).max(200).optional(),
  /** per-request timeout: a device that does not answer in time is a communication failure */
  timeoutMs: z.number().int().min(50).max(60_000).default(1000),
  enabled: z.boolean().default(true),
};

export const modbusTcpDeviceSchema = z
  .object({
    ...deviceCommon,
    protocol: z.literal('modbus-tcp'),
    host: z.string().min(1),
    port: z.number().int().min(0).max(65535).default(502),
    unitId: z.number().int().min(0).max(255).default(1),
    /** default byte/word order of 32- and 64-bit values on this device */
    wordOrder: z.enum(wordOrders as [WordOrder, ...WordOrder[]]).default('ABCD'),
  })
  .strict();

export const opcuaDeviceSchema = z
  .object({
    ...deviceCommon,
    protocol: z.literal('opcua'),
    endpoint: z.string().regex(/^opc\.tcp:\/\/[^\s/]+(:\d+)?(\/.*)?$/, 'must be an opc.tcp:// URL'),
  })
  .strict();

export const deviceSchema = z.discriminatedUnion('protocol', [modbusTcpDeviceSchema, opcuaDeviceSchema]);

export const dataTypes = ['bool', 'int16', 'uint16', 'int32', 'uint32', 'float32', 'float64', 'string'] as const;

export const scalingSchema = z
  .object({
    rawMin: z.number(),
    rawMax: z.number(),
    engMin: z.number(),
    engMax: z.number(),
  })
  .strict()
  .refine((s) => s.rawMax !== s.rawMin, { message: 'rawMax must differ from rawMin', path: ['rawMax'] });

export const tagSchema = z
  .object({
    id,
    name: z.string().min(1).max(200).optional(),
    description: z.string().max(1000).default(''),
    device: id,
    /** Modbus: HR10, IR0, CO3, DI7, HR20.3 (bit 3) or 400011-style; OPC UA: a NodeId (ns=1;s=…) */
    address: z.string().min(1).max(500),
    dataType: z.enum(dataTypes),
    wordOrder: z.enum(wordOrders as [WordOrder, ...WordOrder[]]).optional(),
    units: z.string().max(40).default(''),
    scanMs: z.number().int().min(50).max(3_600_000).default(1000),
    scaling: scalingSchema.optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    decimals: z.number().int().min(0).max(9).default(1),
    writable: z.boolean().default(false),
  })
  .strict();

export const projectSchema = z
  .object({
    version: z.literal(1),
    name: z.string().min(1).max(200),
    site: z.string().min(1).max(100).default('site'),
    line: z.string().min(1).max(100).default('line'),
    devices: z.array(deviceSchema).min(1),
    tags: z.array(tagSchema).min(1),
  })
  .strict();

export type ProjectInput = z.input<typeof projectSchema>;
export type Project = z.output<typeof projectSchema>;
export type DeviceConfig = z.output<typeof deviceSchema>;
export type ModbusTcpDeviceConfig = z.output<typeof modbusTcpDeviceSchema>;
export type OpcUaDeviceConfig = z.output<typeof opcuaDeviceSchema>;
export type TagConfig = z.output<typeof tagSchema>;
export type Scaling = z.output<typeof scalingSchema>;
