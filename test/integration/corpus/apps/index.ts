/** Every corpus app, in the order the corpus test deploys them. */
import type { CorpusApp } from './common';
import { dynamoStream, sqsSource } from './table-and-queue-apps';
import { logGroups, pythonFunction, sdkV2Function, unsupportedOutput } from './edge-case-apps';
import { kinesisBisectDlq, kinesisFanOut, kinesisFilters, kinesisToTable } from './kinesis-apps';

export const CORPUS: CorpusApp[] = [
  kinesisToTable,
  kinesisFanOut,
  kinesisFilters,
  kinesisBisectDlq,
  dynamoStream,
  sqsSource,
  logGroups,
  unsupportedOutput,
  sdkV2Function,
  pythonFunction,
];
