import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { RevenueDashboard } from './RevenueDashboard';
import './page.css';

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <RevenueDashboard apiBaseUrl={window.location.origin} />
    </StrictMode>,
  );
}
