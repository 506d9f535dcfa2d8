export { endpointTemplate, templatePath } from './endpoint';
export {
  cursorTime,
  METRIC_PREFIX,
  Metrics,
  noopMetrics,
  webhookOutcome,
  type EventOutcome,
  type MetricsOptions,
  type MetricsRecorder,
  type WebhookOutcome,
} from './registry';
