// The console's ECharts: a custom build with only what gateway/console/console.js draws (a sankey
// of transfer flows, stacked bars of withdrawals by month, their grid, legend and tooltip, on canvas).
// `npm run build -w gateway` bundles it with esbuild into dist/assets/echarts.min.js (about 550 kB;
// the full echarts.min.js is 1.1 MB). A chart type the console starts using must be added here.
import { init, use } from 'echarts/core';
import { BarChart, SankeyChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

use([BarChart, SankeyChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

// console.js uses only echarts.init.
window.echarts = { init };
