import { Controller, Get, Res, type Type } from '@nestjs/common';
import { Public } from '../decorators/public.decorator.js';
import { DeviceFlowService, type DeviceFlowConfig } from '../device/device-flow.service.js';
import { asHttpResponse } from './http-response.adapter.js';

/** `GET <prefix>/device/config`: the device authorization grant's parameters for CLIs (RFC 8628). */
export function createDeviceController(routePrefix: string): Type<unknown> {
  @Controller(routePrefix)
  class DeviceController {
    constructor(private readonly deviceFlow: DeviceFlowService) {}

    @Public()
    @Get('device/config')
    async config(@Res({ passthrough: true }) reply: unknown): Promise<DeviceFlowConfig> {
      const res = asHttpResponse(reply);
      res.setHeader('Cache-Control', 'no-store');
      const config = await this.deviceFlow.config();
      // Short: a provider that moves its endpoints is seen within a minute.
      res.setHeader('Cache-Control', 'public, max-age=60');
      return config;
    }
  }
  return DeviceController;
}
