export { RevenueDashboard, type RevenueDashboardProps } from './RevenueDashboard';
export type { TokenProvider } from './api';
