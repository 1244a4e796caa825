import '../shared/styles.css';
import './admin.css';
import { boot } from '../shared/boot';
import { App } from './app';
import { strings } from './strings';

void boot(App, strings.unavailable);
