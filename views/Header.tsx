/**
 * The two header lines: what is being measured and against which etcd.
 *
 *   etcd-election-bench  run 20251125-152100  backend v3-lease  T=2s R=0.5s  /master  master m1
 *   etcd up  leader m1  rev 1234  http://127.0.0.1:2379 http://127.0.0.1:22379 http://127.0.0.1:32379
 */
import { Box, Text } from 'ink';
import type { ClusterView, HeaderConfig } from '../src/store/index.ts';
import { fmtSeconds, NONE } from '../src/store/index.ts';
import { useTheme, type Colour } from './theme.ts';

export interface HeaderProps {
  config: HeaderConfig;
  cluster: ClusterView;
  activeMaster: string | null;
  width: number;
}

const CLUSTER_COLOUR: Record<ClusterView['state'], Colour> = { unknown: 'gray', starting: 'yellow', up: 'green', down: 'red', error: 'red' };

export function Header({ config, cluster, activeMaster, width }: HeaderProps) {
  const { c } = useTheme();
  const endpoints = (config.endpoints.length > 0 ? config.endpoints : cluster.endpoints).join(' ') || NONE;
  return (
    <Box flexDirection="column" width={width} height={2} flexShrink={0}>
      <Text wrap="truncate-end">
        <Text bold color={c('cyan')}>
          etcd-election-bench
        </Text>
        {'  run '}
        <Text bold>{config.runId ?? NONE}</Text>
        {'  backend '}
        <Text bold>{config.backend ?? NONE}</Text>
        {`  T=${fmtSeconds(config.ttl)} R=${fmtSeconds(config.refresh)}  ${config.masterPath}  master `}
        <Text bold color={c(activeMaster ? 'green' : 'red')}>
          {activeMaster ?? 'none'}
        </Text>
      </Text>
      <Text wrap="truncate-end">
        {'etcd '}
        <Text bold color={c(CLUSTER_COLOUR[cluster.state])}>
          {cluster.state}
        </Text>
        {'  leader '}
        <Text bold>{cluster.leader ?? NONE}</Text>
        {'  rev '}
        <Text bold>{cluster.revision ?? NONE}</Text>
        {`  ${endpoints}`}
        {cluster.message ? <Text color={c(cluster.state === 'error' ? 'red' : undefined)}>{`  ${cluster.message}`}</Text> : null}
      </Text>
    </Box>
  );
}
