/** Controller-side modules: they run on the controller and never open a connection. */
import './assert.js';
import './debug.js';
import './fail.js';
import './meta.js';
import './set-fact.js';
import './include.js';
